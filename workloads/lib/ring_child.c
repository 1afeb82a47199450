// SPDX-License-Identifier: GPL-2.0
#include "ring_child.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

static int report_fd = -1; /* set in the child */

static void send_line(const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(report_fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += n;
	}
}

void rc_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	if (report_fd < 0) {
		ktap_diag("%s", buf + 2);
		return;
	}
	for (char *p = buf + 2; *p; p++)
		if (*p == '\n')
			*p = ' ';
	buf[0] = 'D';
	buf[1] = ' ';
	strcat(buf, "\n");
	send_line(buf);
}

void rc_result(enum ktap_status st, const char *name, const char *reason)
{
	char buf[512];

	if (report_fd < 0) {
		ktap_result(st, name, reason);
		return;
	}
	snprintf(buf, sizeof(buf), "R %d %s %s\n", (int)st, name,
		 reason ? reason : "");
	send_line(buf);
}

bool rc_check(bool ok, const char *name)
{
	rc_result(ok ? KTAP_PASS : KTAP_FAIL, name, NULL);
	return ok;
}

int rc_count_checks(const struct ring_case *c)
{
	int n = 0;

	while (c->checks[n])
		n++;
	return n;
}

struct got {
	bool have;
	enum ktap_status st;
	char reason[256];
};

static void handle_line(const struct ring_case *c, struct got *got, char *line)
{
	if (line[0] == 'D' && line[1] == ' ') {
		ktap_diag("%s", line + 2);
	} else if (line[0] == 'R' && line[1] == ' ') {
		int st = atoi(line + 2);
		char *name = strchr(line + 2, ' '), *reason;
		int i;

		if (!name)
			return;
		name++;
		reason = strchr(name, ' ');
		if (reason)
			*reason++ = '\0';
		for (i = 0; c->checks[i]; i++)
			if (!strcmp(c->checks[i], name))
				break;
		if (!c->checks[i]) {
			ktap_diag("%s: undeclared check %s reported", c->name,
				  name);
			return;
		}
		if (got[i].have) {
			/* reported twice: the worse verdict wins */
			if (st != KTAP_FAIL)
				return;
		}
		got[i].have = true;
		got[i].st = st;
		snprintf(got[i].reason, sizeof(got[i].reason), "%s",
			 reason ? reason : "");
	} else {
		ktap_diag("%s: %s", c->name, line);
	}
}

int ring_case_run(const struct ring_case *c, void *arg)
{
	int n = rc_count_checks(c), fds[2], status = 0, fails = 0;
	struct got *got = calloc(n ? n : 1, sizeof(*got));
	char buf[8192];
	size_t have = 0;
	bool timed_out = false, reaped = false, eof = false;
	double start = ring_now(), deadline = start + c->timeout_s;
	char why[256] = "";
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (!got || pipe(fds)) {
		perror("ring_case_run");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		setpgid(0, 0);
		close(fds[0]);
		report_fd = fds[1];
		c->fn(arg);
		fflush(stdout);
		_exit(0);
	}
	setpgid(pid, pid);
	close(fds[1]);
	while (!eof) {
		double left = deadline - ring_now();
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t r;
		char *nl;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		r = read(fds[0], buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			eof = true;
			break;
		}
		have += r;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			handle_line(c, got, buf);
			memmove(buf, nl + 1, have - (nl + 1 - buf) + 1);
			have -= nl + 1 - buf;
		}
		if (have == sizeof(buf) - 1) {
			handle_line(c, got, buf);
			have = 0;
		}
	}
	if (timed_out) {
		ktap_diag("%s: watchdog: still running after %.0f s, killing",
			  c->name, c->timeout_s);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	/* EOF can come before exit; give the child a bounded time to go. */
	for (double until = ring_now() + (timed_out ? 10 : c->timeout_s + 5);
	     ring_now() < until;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			reaped = true;
			break;
		}
		if (w < 0)
			break;
		if (!timed_out && ring_now() > deadline) {
			ktap_diag("%s: watchdog: no exit after %.0f s, killing",
				  c->name, c->timeout_s);
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			until = ring_now() + 10;
		}
		usleep(2000);
	}
	/* Stray grandchildren or threads of the case's group. */
	kill(-pid, SIGKILL);
	close(fds[0]);
	if (!reaped)
		snprintf(why, sizeof(why),
			 "child %d could not be reaped (stuck in the kernel?)",
			 (int)pid);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "child killed by signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 timed_out ? " by the watchdog" : "");
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		snprintf(why, sizeof(why), "child exited with status %d",
			 WEXITSTATUS(status));
	if (why[0])
		ktap_diag("%s: %s", c->name, why);
	ktap_diag("%s: %.2f s", c->name, ring_now() - start);
	for (int i = 0; i < n; i++) {
		if (got[i].have) {
			ktap_result(got[i].st, c->checks[i],
				    got[i].reason[0] ? got[i].reason : NULL);
			fails += got[i].st == KTAP_FAIL;
			continue;
		}
		ktap_diag("%s: not reported: %s", c->checks[i],
			  why[0] ? why : "child ended without a verdict");
		if (c->probe) {
			ktap_result(KTAP_SKIP, c->checks[i],
				    why[0] ? why : "no verdict");
		} else {
			ktap_result(KTAP_FAIL, c->checks[i], NULL);
			fails++;
		}
	}
	free(got);
	return fails;
}
