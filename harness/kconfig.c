// SPDX-License-Identifier: GPL-2.0
/*
 * uml-config/ data: kconfig fragments, variant folders, kernel specs.
 */
#include "kconfig.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static bool valid_sym(const char *s, size_t n)
{
	if (n <= 7 || strncmp(s, "CONFIG_", 7))
		return false;
	for (size_t i = 7; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static void kc_set(struct kconfig *kc, const char *name, size_t nlen,
		   const char *value, const char *origin, int line)
{
	struct kconfig_entry *e = NULL;

	for (size_t i = 0; i < kc->n; i++) {
		if (strlen(kc->e[i].name) == nlen &&
		    !strncmp(kc->e[i].name, name, nlen)) {
			e = &kc->e[i];
			free(e->value);
			free(e->origin);
			break;
		}
	}
	if (!e) {
		kc->e = xrealloc(kc->e, (kc->n + 1) * sizeof(*kc->e));
		e = &kc->e[kc->n++];
		e->name = strndup(name, nlen);
		if (!e->name)
			die(EXIT_USAGE, "out of memory");
	}
	e->value = xstrdup(value);
	e->origin = xstrdup(origin);
	e->line = line;
}

static int parse_line(char *s, const char *origin, int line, struct kconfig *kc,
		      char **err)
{
	char *eq;

	while (*s == ' ' || *s == '\t')
		s++;
	rstrip(s);
	if (!*s)
		return 0;
	if (*s == '#') {
		const char *p = s + 1, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "CONFIG_", 7))
			return 0; /* plain comment */
		end = strstr(p, " is not set");
		if (!end || end[11] != '\0' || !valid_sym(p, end - p)) {
			*err = xasprintf("%s:%d: malformed line '%s' (expected "
					 "'# CONFIG_X is not set')",
					 origin, line, s);
			return -1;
		}
		kc_set(kc, p, end - p, "n", origin, line);
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq || !valid_sym(s, eq - s) || !eq[1] ||
	    (strpbrk(eq + 1, " \t") && eq[1] != '"')) {
		*err = xasprintf("%s:%d: malformed line '%s' (expected "
				 "'CONFIG_X=value' or '# CONFIG_X is not set')",
				 origin, line, s);
		return -1;
	}
	if (eq[1] == '"' && (strlen(eq + 1) < 2 || eq[strlen(eq) - 1] != '"')) {
		*err = xasprintf("%s:%d: unterminated string in '%s'", origin,
				 line, s);
		return -1;
	}
	kc_set(kc, s, eq - s, eq + 1, origin, line);
	return 0;
}

int kconfig_parse(const char *text, const char *origin, struct kconfig *kc,
		  char **err)
{
	char *buf = xstrdup(text), *s = buf, *nl;
	int line = 0, rc = 0;

	*err = NULL;
	while (s && *s) {
		line++;
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		rc = parse_line(s, origin, line, kc, err);
		if (rc)
			break;
		s = nl ? nl + 1 : NULL;
	}
	free(buf);
	return rc;
}

int kconfig_load(const char *path, struct kconfig *kc, char **err)
{
	char *text = read_file(path, NULL);
	int rc;

	if (!text) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = kconfig_parse(text, path, kc, err);
	free(text);
	return rc;
}

const struct kconfig_entry *kconfig_get(const struct kconfig *kc,
					const char *name)
{
	for (size_t i = 0; i < kc->n; i++)
		if (!strcmp(kc->e[i].name, name))
			return &kc->e[i];
	return NULL;
}

void kconfig_free(struct kconfig *kc)
{
	for (size_t i = 0; i < kc->n; i++) {
		free(kc->e[i].name);
		free(kc->e[i].value);
		free(kc->e[i].origin);
	}
	free(kc->e);
	kc->e = NULL;
	kc->n = 0;
}

size_t kconfig_check_subset(const struct kconfig *want,
			    const struct kconfig *have, char **report)
{
	size_t missing = 0, len = 0;
	char *out = NULL;

	for (size_t i = 0; i < want->n; i++) {
		const struct kconfig_entry *w = &want->e[i];
		const struct kconfig_entry *h = kconfig_get(have, w->name);
		const char *got = h ? h->value : "n";
		char *line;

		if (!strcmp(got, w->value))
			continue;
		missing++;
		if (!strcmp(w->value, "n"))
			line = xasprintf(
				"Missing: # %s is not set (requested by "
				"%s:%d, got %s=%s)\n",
				w->name, w->origin, w->line, w->name, got);
		else
			line = xasprintf("Missing: %s=%s (requested by %s:%d, "
					 "got %s)\n",
					 w->name, w->value, w->origin, w->line,
					 h ? got : "not set");
		out = xrealloc(out, len + strlen(line) + 1);
		strcpy(out + len, line);
		len += strlen(line);
		free(line);
	}
	if (report)
		*report = out;
	else
		free(out);
	return missing;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **variant_list_in(const char *variants_dir)
{
	DIR *d = opendir(variants_dir);
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	struct dirent *e;

	if (!d)
		return v;
	while ((e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", variants_dir, e->d_name);
		if (is_dir(p)) {
			v = xrealloc(v, (n + 2) * sizeof(char *));
			v[n++] = xstrdup(e->d_name);
			v[n] = NULL;
		}
		free(p);
	}
	closedir(d);
	qsort(v, n, sizeof(char *), cmp_str);
	return v;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

bool kname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > 40 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

static char *known_variants(const char *variants_dir)
{
	char **v = variant_list_in(variants_dir);
	char *s = xstrdup("");

	for (char **p = v; *p; p++) {
		char *t = xasprintf("%s%s%s", s, p == v ? "" : ", ", *p);

		free(s);
		s = t;
	}
	strv_free(v);
	return s;
}

int variant_load(const char *variants_dir, const char *name,
		 struct variant *out, char **err)
{
	char *p, *text;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	out->dir = xasprintf("%s/%s", variants_dir, name);
	if (!kname_valid(name) || !is_dir(out->dir)) {
		char *known = known_variants(variants_dir);

		*err = xasprintf("unknown kernel variant '%s' (known: %s; or "
				 "patch:/path/x.patch, kernel:/path/linux, "
				 "<variant>+debug)",
				 name, known);
		free(known);
		goto fail;
	}
	out->name = xstrdup(name);

	p = xasprintf("%s/description", out->dir);
	text = read_file(p, NULL);
	if (!text || !*rstrip(text)) {
		*err = xasprintf("variant '%s': %s is missing or empty (one "
				 "line saying what the variant is)",
				 name, p);
		free(text);
		free(p);
		goto fail;
	}
	free(p);
	if (strchr(text, '\n'))
		*strchr(text, '\n') = '\0';
	out->description = text;

	out->patch_path = xasprintf("%s/patch", out->dir);
	out->patch = read_file(out->patch_path, NULL);
	if (!out->patch) {
		*err = xasprintf("variant '%s': %s is missing (an empty file "
				 "means the source as shipped)",
				 name, out->patch_path);
		goto fail;
	}

	p = xasprintf("%s/config", out->dir);
	if (path_exists(p))
		out->config_path = p;
	else
		free(p);

	p = xasprintf("%s/kernel-args", out->dir);
	text = read_file(p, NULL);
	free(p);
	if (text) {
		char *args = xstrdup(""), *save = NULL;

		for (char *l = strtok_r(text, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			char *t;

			rstrip(l);
			while (*l == ' ' || *l == '\t')
				l++;
			if (!*l || *l == '#')
				continue;
			t = xasprintf("%s%s%s", args, *args ? " " : "", l);
			free(args);
			args = t;
		}
		free(text);
		if (*args)
			out->kernel_args = args;
		else
			free(args);
	}
	return 0;
fail:
	variant_free(out);
	return -1;
}

void variant_free(struct variant *v)
{
	free(v->name);
	free(v->dir);
	free(v->description);
	free(v->patch);
	free(v->patch_path);
	free(v->config_path);
	free(v->kernel_args);
	memset(v, 0, sizeof(*v));
}

static char *abs_path(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/')
		return xstrdup(p);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/* "x.patch" -> "x", "/a/b/fix-ring.diff" -> "fix-ring" */
static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s = xstrdup(b ? b + 1 : path), *dot = strrchr(s, '.');

	if (dot && dot != s)
		*dot = '\0';
	return s;
}

/*
 * /usr/bin/linux.uml -> "linux.uml"; /src/linux-next/linux -> "linux-next"
 * (a bare "linux" names nothing); else "prebuilt".
 */
static char *prebuilt_name(const char *path)
{
	char *p = xstrdup(path), *b = strrchr(p, '/'), *name;

	*b++ = '\0';
	if (!strcmp(b, "linux") || !strcmp(b, "vmlinux")) {
		char *d = strrchr(p, '/');

		b = d ? d + 1 : p;
	}
	name = xstrdup(kname_valid(b) ? b : "prebuilt");
	free(p);
	return name;
}

/* A kernel parameter as the @ suffix may give it: name[=value]. */
static bool karg_valid(const char *a)
{
	if (!*a || *a == '=')
		return false;
	for (; *a; a++)
		if (!isalnum((unsigned char)*a) && !strchr("._-=,:", *a))
			return false;
	return true;
}

/*
 * Split "<kernel>@p=v@q=w" at the first '@' whose remainder holds no '/'
 * (so an '@' inside a patch or kernel path stays part of the path).
 */
static int kspec_split_args(const char *spec, char *s, struct kspec *out,
			    char **err)
{
	char *at = strchr(s, '@'), *tok, *save = NULL;
	size_t len = 0;

	while (at && strchr(at, '/'))
		at = strchr(at + 1, '@');
	if (!at)
		return 0;
	*at++ = '\0';
	out->args = xstrdup(at);
	for (tok = strtok_r(at, "@", &save); tok;
	     tok = strtok_r(NULL, "@", &save)) {
		if (!karg_valid(tok)) {
			*err = xasprintf(
				"'%s': bad kernel parameter '%s' after "
				"'@' (want name=value, e.g. "
				"slow-lookup@aio.lookup_delay_cycles="
				"4000)",
				spec, tok);
			return -1;
		}
		if (len)
			out->args[len++] = ' ';
		memcpy(out->args + len, tok, strlen(tok));
		len += strlen(tok);
	}
	out->args[len] = '\0';
	if (!len) {
		*err = xasprintf("'%s': '@' needs a kernel parameter (e.g. "
				 "slow-lookup@aio.lookup_delay_cycles=4000)",
				 spec);
		return -1;
	}
	return 0;
}

int kspec_parse(const char *spec, struct kspec *out, char **err)
{
	char *s = xstrdup(spec);
	size_t n;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (kspec_split_args(spec, s, out, err))
		goto fail;
	n = strlen(s);
	if (n > 6 && !strcmp(s + n - 6, "+debug")) {
		out->debug = true;
		s[n - 6] = '\0';
	}
	if (!strncmp(s, "patch:", 6)) {
		out->kind = KSPEC_PATCH;
		if (!s[6]) {
			*err = xasprintf("'%s': patch: needs a path "
					 "(patch:/path/to/x.patch)",
					 spec);
			goto fail;
		}
		out->path = abs_path(s + 6);
		out->name = file_stem(s + 6);
	} else if (!strncmp(s, "kernel:", 7)) {
		out->kind = KSPEC_PREBUILT;
		if (!s[7]) {
			*err = xasprintf("'%s': kernel: needs a path "
					 "(kernel:/path/to/linux)",
					 spec);
			goto fail;
		}
		if (out->debug) {
			*err = xasprintf("'%s': a prebuilt kernel is booted as "
					 "is; +debug needs a variant or patch",
					 spec);
			goto fail;
		}
		out->path = abs_path(s + 7);
		out->name = prebuilt_name(out->path);
	} else {
		out->kind = KSPEC_VARIANT;
		out->name = xstrdup(s);
	}
	if (!kname_valid(out->name)) {
		*err = xasprintf("'%s': bad kernel name '%s' (letters, digits, "
				 "'.', '_', '-'; at most 40)",
				 spec, out->name);
		goto fail;
	}
	free(s);
	return 0;
fail:
	free(s);
	kspec_free(out);
	return -1;
}

void kspec_free(struct kspec *s)
{
	free(s->name);
	free(s->path);
	free(s->args);
	memset(s, 0, sizeof(*s));
}

/* Length of a parameter's name: "a.b=1" -> 3. */
static size_t karg_key_len(const char *a, size_t len)
{
	const char *eq = memchr(a, '=', len);

	return eq ? (size_t)(eq - a) : len;
}

static bool karg_overridden(const char *a, size_t len, const char *override)
{
	size_t k = karg_key_len(a, len);
	const char *o = override;

	while (o && *o) {
		size_t ol = strcspn(o, " ");

		if (ol && karg_key_len(o, ol) == k && !strncmp(o, a, k))
			return true;
		o += ol;
		o += strspn(o, " ");
	}
	return false;
}

char *kargs_merge(const char *defaults, const char *override)
{
	size_t cap = (defaults ? strlen(defaults) : 0) +
		     (override ? strlen(override) : 0) + 2;
	char *r = xmalloc(cap), *w = r;
	const char *lists[2] = { defaults, override };

	for (int i = 0; i < 2; i++) {
		const char *d = lists[i];

		while (d && *d) {
			size_t dl;

			d += strspn(d, " ");
			dl = strcspn(d, " ");
			if (dl && (i || !karg_overridden(d, dl, override))) {
				if (w != r)
					*w++ = ' ';
				memcpy(w, d, dl);
				w += dl;
			}
			d += dl;
		}
	}
	*w = '\0';
	if (w == r) {
		free(r);
		return NULL;
	}
	return r;
}
