/*
 * mustache.c - parse mustache templates into a tree, render trees.
 *
 * Parsing resolves everything that depends only on the template text:
 * delimiter changes, standalone lines (a line holding only a section,
 * comment, partial, parent or block tag and whitespace disappears from
 * the output), and the indentation that partials, parents and blocks
 * give to what they expand. Text is split at newlines, so each text node
 * is at most one line.
 *
 * Rendering never changes the tree: everything that varies with the call
 * site (the context stack, the indentation, the block overrides in force)
 * lives in small lists on the C stack, and the only allocations are the
 * output's, in out->arena.
 *
 * Indentation: a standalone partial such as "  {{>p}}" renders p with
 * "  " added to the current indentation, and the renderer emits the
 * indentation before the first output of every template line (text or
 * tag) - never after a newline that came from data, as the spec wants.
 *
 * Inheritance: {{<parent}} renders the template parent with the blocks
 * {{$name}}…{{/name}} written between its tags overriding the blocks of
 * the same name in parent (and in anything parent expands). When several
 * parents in a chain override the same block, the outermost one wins.
 * Block indentation follows the spec: a block whose opening tag stands
 * alone on its line loses the indentation of its first line from every
 * line (its "intrinsic" indentation), and gets back the indentation of
 * the place where it is expanded.
 */
#include "mustache.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tval.h"

#define MU_MAX_DEPTH	64	/* partials, parents and blocks expanded
				 * inside each other */
#define MU_MAX_NEST	64	/* sections and blocks inside each other */
#define MU_MAX_DELIM	16	/* delimiter bytes, terminator included */

enum mu_kind {
	MU_TEXT,
	MU_VAR,
	MU_SECTION,
	MU_INVERTED,
	MU_PARTIAL,
	MU_PARENT,
	MU_BLOCK
};

/* Bytes inside the template's copy of its source; not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

struct mu_node;

struct mu_list {
	struct mu_node *v;
	size_t n;
	size_t cap;
};

struct mu_node {
	enum mu_kind kind;
	struct span text;	/* MU_TEXT: one line at most, '\n' last */
	char *name;		/* every other kind */
	bool raw;		/* MU_VAR: {{{ }}} or {{& }}, no escaping */
	/* Partials, parents and blocks: whitespace before the tag that
	 * turned out not to be indentation, emitted as it stands ... */
	struct span lit;
	/* ... or indentation added to everything expanded here. */
	struct span indent;
	/* Sections and blocks: the content. Parents: the overriding
	 * blocks (everything else between a parent's tags is ignored). */
	struct mu_list kids;
};

struct mu_template {
	char *src;		/* the source; text nodes point into it */
	struct mu_list root;
};

/* Like the arena: a worker without memory cannot answer anyway. */
static void
mu_oom(void)
{
	fputs("mustache: out of memory\n", stderr);
	abort();
}

static void *
mu_realloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		mu_oom();
	return p;
}

/* ---- the tree ---- */

static void free_list(struct mu_list *l);

static void
free_node(struct mu_node *n)
{
	free(n->name);
	free_list(&n->kids);
}

static void
free_list(struct mu_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free_node(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Appends a copy of *n to l, which takes over n's allocations. */
static void
list_push(struct mu_list *l, const struct mu_node *n)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		if (l->cap > SIZE_MAX / sizeof(*l->v))
			mu_oom();
		l->v = mu_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *n;
}

void
mu_free(struct mu_template *t)
{
	if (t == NULL)
		return;
	free_list(&t->root);
	free(t->src);
	free(t);
}

/* ---- parsing ---- */

struct parser {
	const char *src;
	size_t len;
	size_t pos;		/* next byte to read */
	char otag[MU_MAX_DELIM];	/* current delimiters */
	char ctag[MU_MAX_DELIM];
	size_t olen;
	size_t clen;
	char *err;
	size_t errlen;
};

/* What the tags being read are inside of: the template itself, a
 * section, a block or a parent. */
struct frame {
	bool root;		/* the template's top level */
	enum mu_kind kind;	/* otherwise: what opened the frame */
	bool override;		/* a block directly between parent tags */
	bool open_lc;		/* the opening tag had only indentation left */
	bool close_rc;		/* set at the closing tag: only a line end
				 * or the end of the template on its right */
	const char *name;	/* of the opening tag */
	size_t open_pos;	/* of the opening tag, for messages */
	int nest;
	struct span strip;	/* taken off the start of every line */
};

struct tag {
	char sigil;		/* # ^ / ! = > < $ & { or 0 for a variable */
	struct span name;	/* trimmed */
	size_t start;		/* first byte of the opening delimiter */
	size_t end;		/* just past the closing delimiter */
};

/* The 1-based line of byte pos. */
static size_t
line_of(const struct parser *p, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos && i < p->len; i++)
		if (p->src[i] == '\n')
			line++;
	return line;
}

/* Writes "line N: <message>" into the caller's buffer; returns -1. */
static int fail(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return -1;
	n = snprintf(p->err, p->errlen, "line %zu: ", line_of(p, pos));
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct span
trim(const char *s, size_t n)
{
	struct span r;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	r.p = s;
	r.n = n;
	return r;
}

/* Whether only spaces and tabs separate byte pos from the line start. */
static bool
left_clear(const struct parser *p, size_t pos)
{
	while (pos > 0 && (p->src[pos - 1] == ' ' || p->src[pos - 1] == '\t'))
		pos--;
	return pos == 0 || p->src[pos - 1] == '\n';
}

/*
 * Whether only spaces and tabs separate byte pos from the end of its line
 * or of the template; if so, *after is where the next line starts.
 */
static bool
right_clear(const struct parser *p, size_t pos, size_t *after)
{
	while (pos < p->len && (p->src[pos] == ' ' || p->src[pos] == '\t'))
		pos++;
	if (pos == p->len)
		*after = pos;
	else if (p->src[pos] == '\n')
		*after = pos + 1;
	else if (p->src[pos] == '\r' && pos + 1 < p->len &&
	    p->src[pos + 1] == '\n')
		*after = pos + 2;
	else
		return false;
	return true;
}

/*
 * Reads the tag whose opening delimiter is at start: its kind, its
 * trimmed name and where it ends. Returns 0, or -1 when it is not closed.
 */
static int
read_tag(struct parser *p, size_t start, struct tag *t)
{
	static const char sigils[] = "#^/!=><$&{";
	char closer[MU_MAX_DELIM + 1];
	size_t body = start + p->olen, clen = 0;
	const char *end;

	memset(t, 0, sizeof(*t));
	t->start = start;
	if (body < p->len && memchr(sigils, p->src[body], sizeof(sigils) - 1))
		t->sigil = p->src[body++];
	/* {{{name}}} ends with "}" and {{=a b=}} with "=" before the
	 * closing delimiter. */
	if (t->sigil == '{' || t->sigil == '=')
		closer[clen++] = t->sigil == '{' ? '}' : '=';
	memcpy(closer + clen, p->ctag, p->clen);
	clen += p->clen;
	end = body <= p->len ?
	    memmem(p->src + body, p->len - body, closer, clen) : NULL;
	if (end == NULL)
		return fail(p, start, "unclosed tag");
	t->name = trim(p->src + body, (size_t)(end - (p->src + body)));
	t->end = (size_t)(end - p->src) + clen;
	return 0;
}

/* Applies {{=open close=}}. Returns 0, or -1 when the pair is invalid. */
static int
set_delims(struct parser *p, const struct tag *t)
{
	struct span s = t->name, o, c;
	size_t i = 0;

	while (i < s.n && !is_space(s.p[i]))
		i++;
	o.p = s.p;
	o.n = i;
	c = trim(s.p + i, s.n - i);
	/* The spec forbids whitespace and "=" inside delimiters. */
	for (i = 0; i < c.n; i++)
		if (is_space(c.p[i]))
			c.n = 0;
	if (o.n == 0 || c.n == 0 || o.n >= MU_MAX_DELIM ||
	    c.n >= MU_MAX_DELIM || memchr(o.p, '=', o.n) != NULL ||
	    memchr(c.p, '=', c.n) != NULL)
		return fail(p, t->start, "invalid delimiters \"%.*s\"",
		    (int)s.n, s.p);
	memcpy(p->otag, o.p, o.n);
	p->olen = o.n;
	memcpy(p->ctag, c.p, c.n);
	p->clen = c.n;
	return 0;
}

/* A NUL-terminated copy of the tag's name. */
static char *
name_dup(const struct tag *t)
{
	char *s = mu_realloc(NULL, t->name.n + 1);

	memcpy(s, t->name.p, t->name.n);
	s[t->name.n] = '\0';
	return s;
}

/* Whether f collects the content between a parent's tags, where only
 * blocks count. */
static bool
in_parent(const struct frame *f)
{
	return !f->root && f->kind == MU_PARENT;
}

/* Adds n to out, or drops it where it is ignored (between parent tags). */
static void
add_node(const struct frame *f, struct mu_list *out, struct mu_node *n)
{
	if (in_parent(f) && n->kind != MU_BLOCK)
		free_node(n);
	else
		list_push(out, n);
}

/* Adds literal text (at most one line). */
static void
add_text(const struct frame *f, struct mu_list *out, struct span s)
{
	struct mu_node n;

	if (s.n == 0 || in_parent(f))
		return;
	memset(&n, 0, sizeof(n));
	n.kind = MU_TEXT;
	n.text = s;
	list_push(out, &n);
}

/*
 * Finishes a tag that may stand alone: a standalone tag takes its line
 * with it (the indentation before it and the line end after it),
 * otherwise the text before it is kept.
 */
static void
end_line(struct parser *p, const struct frame *f, struct mu_list *out,
    struct span pending, bool standalone, size_t after, size_t end)
{
	if (standalone) {
		p->pos = after;
	} else {
		add_text(f, out, pending);
		p->pos = end;
	}
}

/* Advances past the part of f->strip that starts the current line. */
static void
skip_strip(struct parser *p, const struct frame *f)
{
	size_t i = 0;

	while (i < f->strip.n && p->pos + i < p->len &&
	    p->src[p->pos + i] == f->strip.p[i])
		i++;
	p->pos += i;
}

static int parse_list(struct parser *p, struct frame *f,
    struct mu_list *out);

/* Sets up a frame for the content of the section, block or parent n. */
static int
child_frame(struct parser *p, const struct frame *f, const struct tag *t,
    const struct mu_node *n, struct frame *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = n->kind;
	c->name = n->name;
	c->open_pos = t->start;
	c->nest = f->nest + 1;
	c->strip = f->strip;
	if (c->nest > MU_MAX_NEST)
		return fail(p, t->start, "sections nested too deeply");
	return 0;
}

/* {{#name}} and {{^name}}: parses the section up to its closing tag. */
static int
open_section(struct parser *p, struct frame *f, struct mu_list *out,
    const struct tag *t, struct mu_node *n)
{
	struct frame c;

	n->kind = t->sigil == '#' ? MU_SECTION : MU_INVERTED;
	if (child_frame(p, f, t, n, &c) < 0 || parse_list(p, &c, &n->kids) < 0)
		return -1;
	add_node(f, out, n);
	return 0;
}

/*
 * {{$name}}: parses a block. Directly between parent tags it is an
 * override, and only its content matters; elsewhere it is a place where
 * an override (or the content itself) is expanded, with an indentation:
 * when the opening tag stands alone and the block has content, the
 * content's intrinsic indentation (which parsing took off its lines, so
 * the default content comes out as written); else the whitespace before
 * the opening tag when the pair of tags stands alone ("  {{$b}}{{/b}}");
 * else none.
 */
static int
open_block(struct parser *p, struct frame *f, struct mu_list *out,
    const struct tag *t, struct mu_node *n, struct span pending)
{
	struct span lead = { NULL, 0 }, intr = { NULL, 0 };
	bool lc, rc, alone, pair;
	struct frame c;
	size_t after = 0, q, w;
	char *strip = NULL;
	int r;

	n->kind = MU_BLOCK;
	if (child_frame(p, f, t, n, &c) < 0)
		return -1;
	c.override = in_parent(f);
	lc = left_clear(p, t->start);
	rc = right_clear(p, t->end, &after);
	/* Between parent tags what precedes the tag is ignored anyway. */
	alone = c.override ? rc : lc && rc;
	c.open_lc = lc;
	/* The whitespace before the tag is held back: whether it is
	 * indentation or text is known only at the closing tag. */
	if (lc)
		lead = pending;
	else
		add_text(f, out, pending);
	p->pos = alone ? after : t->end;
	if (alone) {
		/* Intrinsic indentation: that of the first line, unless
		 * the line is blank. */
		q = p->pos;
		while (q - p->pos < f->strip.n && q < p->len &&
		    p->src[q] == f->strip.p[q - p->pos])
			q++;
		for (w = 0; q + w < p->len &&
		    (p->src[q + w] == ' ' || p->src[q + w] == '\t'); w++)
			;
		if (w > 0 && q + w < p->len && p->src[q + w] != '\n' &&
		    p->src[q + w] != '\r') {
			intr.p = p->src + q;
			intr.n = w;
			strip = mu_realloc(NULL, f->strip.n + w);
			if (f->strip.n > 0)
				memcpy(strip, f->strip.p, f->strip.n);
			memcpy(strip + f->strip.n, intr.p, w);
			c.strip.p = strip;
			c.strip.n = f->strip.n + w;
		}
	}
	r = parse_list(p, &c, &n->kids);
	free(strip);
	if (r < 0)
		return -1;
	if (!c.override) {
		pair = lc && c.close_rc;
		if (alone && n->kids.n > 0)
			n->indent = intr;
		else if (pair)
			n->indent = lead;
		else if (!alone)
			n->lit = lead;
	}
	add_node(f, out, n);
	return 0;
}

/*
 * {{<name}}: parses a parent's overrides. The pair of tags stands alone
 * when the opening tag starts its line and the closing tag ends its line;
 * the text between them does not count.
 */
static int
open_parent(struct parser *p, struct frame *f, struct mu_list *out,
    const struct tag *t, struct mu_node *n, struct span pending)
{
	struct span lead = { NULL, 0 };
	struct frame c;

	n->kind = MU_PARENT;
	if (child_frame(p, f, t, n, &c) < 0)
		return -1;
	c.open_lc = left_clear(p, t->start);
	if (c.open_lc)
		lead = pending;
	else
		add_text(f, out, pending);
	p->pos = t->end;
	if (parse_list(p, &c, &n->kids) < 0)
		return -1;
	if (c.open_lc && c.close_rc)
		n->indent = lead;
	else
		n->lit = lead;
	add_node(f, out, n);
	return 0;
}

/* {{/name}}: checks it closes f and decides what it takes of its line. */
static int
close_tag(struct parser *p, struct frame *f, struct mu_list *out,
    const struct tag *t)
{
	struct span pending = { p->src + p->pos, t->start - p->pos };
	bool lc, rc, alone, eat;
	size_t after = 0;

	if (f->root)
		return fail(p, t->start, "closing tag \"%.*s\" without an "
		    "open section", (int)t->name.n, t->name.p);
	if (strlen(f->name) != t->name.n ||
	    memcmp(f->name, t->name.p, t->name.n) != 0)
		return fail(p, t->start, "closing tag \"%.*s\" does not match "
		    "\"%s\" opened on line %zu", (int)t->name.n, t->name.p,
		    f->name, line_of(p, f->open_pos));
	lc = left_clear(p, t->start);
	rc = right_clear(p, t->end, &after);
	if (in_parent(f)) {
		/* The parent's opening and closing tags stand alone as a
		 * pair; what lies between them does not count. */
		alone = eat = f->open_lc && rc;
	} else if (f->override) {
		/* What follows is ignored text between parent tags. */
		alone = lc;
		eat = false;
	} else {
		alone = eat = lc && rc;
	}
	if (!alone)
		add_text(f, out, pending);
	p->pos = eat ? after : t->end;
	f->close_rc = rc;
	return 0;
}

/* Handles any tag but a closing one. Returns 0 or -1. */
static int
handle_tag(struct parser *p, struct frame *f, struct mu_list *out,
    const struct tag *t)
{
	struct span pending = { p->src + p->pos, t->start - p->pos };
	struct mu_node n;
	size_t after = 0;
	bool alone;

	alone = left_clear(p, t->start) && right_clear(p, t->end, &after);
	memset(&n, 0, sizeof(n));
	if (t->sigil == '!') {
		end_line(p, f, out, pending, alone, after, t->end);
		return 0;
	}
	if (t->sigil == '=') {
		if (set_delims(p, t) < 0)
			return -1;
		end_line(p, f, out, pending, alone, after, t->end);
		return 0;
	}
	if (t->name.n == 0)
		return fail(p, t->start, "empty tag name");
	n.name = name_dup(t);
	switch (t->sigil) {
	case '#':
	case '^':
		end_line(p, f, out, pending, alone, after, t->end);
		if (open_section(p, f, out, t, &n) == 0)
			return 0;
		break;
	case '$':
		if (open_block(p, f, out, t, &n, pending) == 0)
			return 0;
		break;
	case '<':
		if (open_parent(p, f, out, t, &n, pending) == 0)
			return 0;
		break;
	case '>':
		n.kind = MU_PARTIAL;
		if (alone)
			n.indent = pending;
		end_line(p, f, out, pending, alone, after, t->end);
		add_node(f, out, &n);
		return 0;
	default:
		n.kind = MU_VAR;
		n.raw = t->sigil == '{' || t->sigil == '&';
		add_text(f, out, pending);
		p->pos = t->end;
		add_node(f, out, &n);
		return 0;
	}
	free_node(&n);
	return -1;
}

/*
 * Parses nodes into out until the closing tag of f (or the end of the
 * template, for the top level). Returns 0, or -1 with the message set.
 */
static int
parse_list(struct parser *p, struct frame *f, struct mu_list *out)
{
	const char *src = p->src, *nl, *open;
	struct span s;
	struct tag t;
	size_t eol, next;

	for (;;) {
		if (p->pos < p->len && (p->pos == 0 || src[p->pos - 1] == '\n'))
			skip_strip(p, f);
		if (p->pos >= p->len)
			break;
		nl = memchr(src + p->pos, '\n', p->len - p->pos);
		eol = nl != NULL ? (size_t)(nl - src) : p->len;
		/* Delimiters hold no whitespace, so a tag starts on the
		 * line it is found on. */
		open = memmem(src + p->pos, eol - p->pos, p->otag, p->olen);
		if (open == NULL) {
			next = nl != NULL ? eol + 1 : eol;
			s.p = src + p->pos;
			s.n = next - p->pos;
			add_text(f, out, s);
			p->pos = next;
			continue;
		}
		if (read_tag(p, (size_t)(open - src), &t) < 0)
			return -1;
		if (t.sigil == '/')
			return close_tag(p, f, out, &t);
		if (handle_tag(p, f, out, &t) < 0)
			return -1;
	}
	if (!f->root)
		return fail(p, f->open_pos, "unclosed section \"%s\"",
		    f->name);
	return 0;
}

struct mu_template *
mu_parse(const char *src, size_t len, char *err, size_t errlen)
{
	struct mu_template *t = mu_realloc(NULL, sizeof(*t));
	struct parser p;
	struct frame root;

	memset(t, 0, sizeof(*t));
	t->src = mu_realloc(NULL, len + 1);
	if (len > 0)
		memcpy(t->src, src, len);
	t->src[len] = '\0';

	memset(&p, 0, sizeof(p));
	p.src = t->src;
	p.len = len;
	memcpy(p.otag, "{{", 2);
	memcpy(p.ctag, "}}", 2);
	p.olen = p.clen = 2;
	p.err = err;
	p.errlen = errlen;
	memset(&root, 0, sizeof(root));
	root.root = true;
	root.kind = MU_TEXT;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (parse_list(&p, &root, &t->root) < 0) {
		mu_free(t);
		return NULL;
	}
	return t;
}

/* ---- rendering ---- */

/* The context stack: names are looked up from the top down. */
struct stack {
	const struct tval *v;
	const struct stack *up;
};

/* The indentation, outermost part last in the list. */
struct indent {
	struct span s;
	const struct indent *up;
};

/* The parents being rendered, innermost first. */
struct scope {
	const struct mu_node *parent;
	const struct scope *up;
};

struct env {
	const struct stack *st;
	const struct indent *ind;
	const struct scope *sc;
};

struct render {
	struct buf *out;
	mu_lookup_fn lookup;
	void *ctx;
	bool bol;		/* a template line starts: indentation is due */
	int depth;		/* partials, parents and blocks entered */
};

static int render_list(struct render *r, const struct mu_list *l,
    const struct env *e);

static void
put_indent(struct render *r, const struct indent *ind)
{
	if (ind == NULL)
		return;
	put_indent(r, ind->up);
	buf_append(r->out, ind->s.p, ind->s.n);
}

/* Called before any output of a template line: emits the indentation
 * when the line starts here. */
static void
begin_output(struct render *r, const struct env *e)
{
	if (r->bol) {
		put_indent(r, e->ind);
		r->bol = false;
	}
}

static void
put_escaped(struct buf *b, const char *s, size_t n)
{
	size_t i, from = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + from, i - from);
		buf_puts(b, rep);
		from = i + 1;
	}
	buf_append(b, s + from, n - from);
}

/* The shortest "%g" form that reads back as d: 1.21 is "1.21", not
 * "1.2099999999999999645". */
static void
format_real(char *s, size_t n, double d)
{
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(s, n, "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			return;
	}
	snprintf(s, n, "%.17g", d);
}

/* Interpolates v: strings and numbers; null, lists and maps give "". */
static void
put_value(struct render *r, const struct tval *v, bool escape)
{
	char num[40];
	const char *s;
	size_t n;

	if (v == NULL)
		return;
	switch (v->type) {
	case TV_BOOL:
		s = v->u.b ? "true" : "false";
		n = strlen(s);
		break;
	case TV_INT:
		snprintf(num, sizeof(num), "%" PRId64, v->u.i);
		s = num;
		n = strlen(s);
		break;
	case TV_REAL:
		format_real(num, sizeof(num), v->u.r);
		s = num;
		n = strlen(s);
		break;
	case TV_STRING:
		s = v->u.str.s;
		n = v->u.str.len;
		break;
	case TV_NULL:
	case TV_LIST:
	case TV_MAP:
	default:
		return;
	}
	if (escape)
		put_escaped(r->out, s, n);
	else
		buf_append(r->out, s, n);
}

/* The value of key (n bytes) in map v, or NULL. */
static const struct tval *
map_get(const struct tval *v, const char *key, size_t n)
{
	const struct tv_entry *e;
	size_t i;

	if (v == NULL || v->type != TV_MAP)
		return NULL;
	for (i = 0; (e = tv_entry_at(v, i)) != NULL; i++)
		if (strncmp(e->key, key, n) == 0 && e->key[n] == '\0')
			return e->value;
	return NULL;
}

/*
 * Resolves a name: "." is the top of the stack; otherwise the first part
 * is looked up from the top of the stack down, and each further dotted
 * part only inside the value found so far. NULL when missing.
 */
static const struct tval *
resolve(const struct stack *st, const char *name)
{
	const struct tval *v = NULL;
	const char *dot;

	if (strcmp(name, ".") == 0)
		return st != NULL ? st->v : NULL;
	dot = strchr(name, '.');
	for (; st != NULL && v == NULL; st = st->up)
		v = map_get(st->v, name,
		    dot != NULL ? (size_t)(dot - name) : strlen(name));
	while (v != NULL && dot != NULL) {
		name = dot + 1;
		dot = strchr(name, '.');
		v = map_get(v, name,
		    dot != NULL ? (size_t)(dot - name) : strlen(name));
	}
	return v;
}

/* Renders the kids of a section once per list item, or once with the
 * value pushed, or not at all when it is falsy. */
static int
render_section(struct render *r, const struct mu_node *n,
    const struct env *e)
{
	const struct tval *v = resolve(e->st, n->name);
	struct stack top;
	struct env sub = *e;
	size_t i;

	if (n->kind == MU_INVERTED)
		return tv_truthy(v) ? 0 : render_list(r, &n->kids, e);
	if (!tv_truthy(v))
		return 0;
	top.up = e->st;
	sub.st = &top;
	if (v->type != TV_LIST) {
		top.v = v;
		return render_list(r, &n->kids, &sub);
	}
	for (i = 0; i < tv_len(v); i++) {
		top.v = tv_at(v, i);
		if (render_list(r, &n->kids, &sub) < 0)
			return -1;
	}
	return 0;
}

/* Emits whitespace that was kept as text before a tag. */
static void
put_lit(struct render *r, const struct env *e, struct span s)
{
	if (s.n == 0)
		return;
	begin_output(r, e);
	buf_append(r->out, s.p, s.n);
}

/* Renders the partial or parent n with the environment e. Returns -1
 * past the depth limit. */
static int
expand(struct render *r, const struct mu_node *n, const struct env *e)
{
	const struct mu_template *t;
	struct indent ind;
	struct env sub = *e;
	int rv;

	t = r->lookup != NULL ? r->lookup(r->ctx, n->name) : NULL;
	if (t == NULL)
		return 0;
	if (r->depth >= MU_MAX_DEPTH)
		return -1;
	if (n->indent.n > 0) {
		ind.s = n->indent;
		ind.up = e->ind;
		sub.ind = &ind;
	}
	r->depth++;
	rv = render_list(r, &t->root, &sub);
	r->depth--;
	return rv;
}

/* The content that fills block n: the override of the outermost parent
 * that has one, else n's own. */
static const struct mu_list *
block_content(const struct mu_node *n, const struct scope *sc)
{
	const struct mu_list *found = &n->kids;
	const struct mu_list *over;
	size_t i;

	for (; sc != NULL; sc = sc->up) {
		over = &sc->parent->kids;
		for (i = 0; i < over->n; i++)
			if (strcmp(over->v[i].name, n->name) == 0)
				found = &over->v[i].kids;
	}
	return found;
}

static int
render_node(struct render *r, const struct mu_node *n, const struct env *e)
{
	const struct tval *v;
	struct indent ind;
	struct scope sc;
	struct env sub = *e;
	int rv;

	switch (n->kind) {
	case MU_TEXT:
		begin_output(r, e);
		buf_append(r->out, n->text.p, n->text.n);
		r->bol = n->text.p[n->text.n - 1] == '\n';
		return 0;
	case MU_VAR:
		v = resolve(e->st, n->name);
		begin_output(r, e);
		put_value(r, v, !n->raw);
		return 0;
	case MU_SECTION:
	case MU_INVERTED:
		return render_section(r, n, e);
	case MU_PARTIAL:
		return expand(r, n, e);
	case MU_PARENT:
		put_lit(r, e, n->lit);
		sc.parent = n;
		sc.up = e->sc;
		sub.sc = &sc;
		return expand(r, n, &sub);
	case MU_BLOCK:
		/* an override may hold a block of its own name, which is
		 * filled by that override again: bounded like partials */
		if (r->depth >= MU_MAX_DEPTH)
			return -1;
		put_lit(r, e, n->lit);
		if (n->indent.n > 0) {
			ind.s = n->indent;
			ind.up = e->ind;
			sub.ind = &ind;
		}
		r->depth++;
		rv = render_list(r, block_content(n, e->sc), &sub);
		r->depth--;
		return rv;
	}
	return 0;
}

static int
render_list(struct render *r, const struct mu_list *l, const struct env *e)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (render_node(r, &l->v[i], e) < 0)
			return -1;
	return 0;
}

int
mu_render(const struct mu_template *t, const struct tval *data,
    mu_lookup_fn lookup, void *ctx, struct buf *out)
{
	struct render r;
	struct stack top;
	struct env e;

	if (t == NULL || out == NULL)
		return -1;
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.lookup = lookup;
	r.ctx = ctx;
	r.bol = true;
	top.v = data;
	top.up = NULL;
	e.st = data != NULL ? &top : NULL;
	e.ind = NULL;
	e.sc = NULL;
	return render_list(&r, &t->root, &e);
}
