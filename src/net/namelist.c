/* namelist.c -- see namelist.h. Rules are few, so a linear scan. */
#include "net/namelist.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/dnsname.h"
#include "util/xalloc.h"

void namelist_init(struct namelist *l)
{
	memset(l, 0, sizeof *l);
}

void namelist_free(struct namelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->pat[i]);
	free(l->pat);
	namelist_init(l);
}

static int add_one(struct namelist *l, const char *tok, size_t len, struct err *e)
{
	bool suffix = len > 2 && tok[0] == '*' && tok[1] == '.';
	const char *name = suffix ? tok + 2 : tok;
	size_t nlen = suffix ? len - 2 : len;
	char *p;

	if (len == 3 && memcmp(tok, "any", 3) == 0) {
		l->any = true;
		return 0;
	}
	if (nlen > 1 && name[nlen - 1] == '.')
		nlen--;
	/* the names forwards may carry (util/dnsname), so a rule can match one */
	if (dns_name_check(name, nlen, e) < 0)
		return err_prefix(e, "'%.*s' is not a host name or *.SUFFIX pattern (or the word "
				  "any)", (int)len, tok);
	p = xmalloc(nlen + 2);
	if (suffix)
		p[0] = '.';
	for (size_t i = 0; i < nlen; i++)
		p[i + suffix] = (char)tolower((unsigned char)name[i]);
	p[nlen + suffix] = '\0';
	l->pat = xrealloc(l->pat, (l->n + 1) * sizeof *l->pat);
	l->pat[l->n++] = p;
	return 0;
}

int namelist_add(struct namelist *l, const char *text, struct err *e)
{
	const char *t = text;

	if (*text == '\0')
		return err_set(e, "empty list");
	for (;;) {
		size_t len = strcspn(t, ",");

		if (len == 0)
			return err_set(e, "empty entry in '%s'", text);
		if (add_one(l, t, len, e) < 0)
			return -EINVAL;
		if (t[len] == '\0')
			return 0;
		t += len + 1;
	}
}

void namelist_default(struct namelist *l)
{
	struct err e;

	(void)namelist_add(l, "localhost,*.localhost", &e);
}

bool namelist_allows(const struct namelist *l, const char *name, size_t len)
{
	if (l->any)
		return true;
	if (len > 1 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < l->n; i++) {
		const char *p = l->pat[i];
		size_t plen = strlen(p);

		if (p[0] == '.') { /* a suffix: at least one label before it */
			if (len > plen && strncasecmp(name + len - plen, p, plen) == 0)
				return true;
		} else if (len == plen && strncasecmp(name, p, plen) == 0) {
			return true;
		}
	}
	return false;
}
