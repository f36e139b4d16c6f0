/*
 * doc.c - report documents: a tree of objects, arrays and scalars that owns
 * all its memory in one arena.  Building is infallible for the caller: the
 * first failed allocation is remembered, later calls do nothing, and
 * doc_status() tells at the end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/doc.h"

struct member {
	const char		*key;	/* NULL for array elements */
	struct offmig_node	*node;
};

struct offmig_node {
	enum offmig_node_type	 type;
	int64_t			 i;	/* INT and BOOL */
	const char		*s;	/* STRING, NUL-terminated */
	size_t			 slen;
	struct member		*m;	/* ARRAY and OBJECT */
	size_t			 n;
	size_t			 cap;
};

struct chunk {
	struct chunk	*next;
	size_t		 used;
	size_t		 size;
	/* Data follows, aligned for any object. */
	max_align_t	 data[];
};

struct offmig_doc {
	struct chunk		*chunks;
	size_t			 next_size;	/* of the next regular chunk */
	struct offmig_node	*root;
	int			 oom;
};

/*
 * Chunks start small (most documents are small) and double up to
 * CHUNK_MAX, so a report of thousands of rows takes a handful of
 * allocations rather than hundreds (each of which the C library may hand
 * back to the system one by one when the document is freed).
 */
#define CHUNK_MIN	(16 * 1024)
#define CHUNK_MAX	(4 * 1024 * 1024)

static void *
arena_alloc(struct offmig_doc *doc, size_t size)
{
	struct chunk *c = doc->chunks;
	size_t align = sizeof(max_align_t);

	if (doc->oom)
		return NULL;
	if (size > SIZE_MAX - sizeof(*c) - align) {
		doc->oom = 1;
		return NULL;
	}
	size = (size + align - 1) / align * align;
	if (c == NULL || c->size - c->used < size) {
		size_t regular = doc->next_size > 0 ? doc->next_size : CHUNK_MIN;
		size_t want = size > regular ? size : regular;

		/*
		 * A large block gets a chunk of its own behind the current
		 * one, so the space left in the current chunk is not lost.
		 */
		if ((c = malloc(sizeof(*c) + want)) == NULL) {
			doc->oom = 1;
			return NULL;
		}
		mem_prefault(c, sizeof(*c) + want);
		c->used = 0;
		c->size = want;
		if (want > regular && doc->chunks != NULL) {
			c->next = doc->chunks->next;
			doc->chunks->next = c;
		} else {
			c->next = doc->chunks;
			doc->chunks = c;
			if (regular < CHUNK_MAX)
				doc->next_size = regular * 2;
		}
	}
	c->used += size;
	return (char *)c->data + c->used - size;
}

static struct offmig_node *
node_new(struct offmig_doc *doc, enum offmig_node_type type)
{
	struct offmig_node *n = arena_alloc(doc, sizeof(*n));

	if (n != NULL) {
		memset(n, 0, sizeof(*n));
		n->type = type;
	}
	return n;
}

struct offmig_doc *
doc_new(void)
{
	struct offmig_doc *doc = calloc(1, sizeof(*doc));

	if (doc == NULL)
		return NULL;
	if ((doc->root = node_new(doc, OFFMIG_NODE_OBJECT)) == NULL) {
		offmig_doc_free(doc);
		return NULL;
	}
	return doc;
}

void
offmig_doc_free(struct offmig_doc *doc)
{
	struct chunk *c, *next;

	if (doc == NULL)
		return;
	for (c = doc->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

struct offmig_node *
doc_root_mut(struct offmig_doc *doc)
{
	return doc != NULL ? doc->root : NULL;
}

const struct offmig_node *
offmig_doc_root(const struct offmig_doc *doc)
{
	return doc != NULL ? doc->root : NULL;
}

int
doc_status(const struct offmig_doc *doc)
{
	return doc == NULL || doc->oom ? OFFMIG_ENOMEM : OFFMIG_OK;
}

void
doc_fail(struct offmig_doc *doc)
{
	if (doc != NULL)
		doc->oom = 1;
}

static const char *
arena_strndup(struct offmig_doc *doc, const char *s, size_t len)
{
	char *p;

	if (s == NULL || (p = arena_alloc(doc, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

const char *
doc_strdup(struct offmig_doc *doc, const char *s)
{
	return s != NULL ? arena_strndup(doc, s, strlen(s)) : NULL;
}

/*
 * Appends a member to an array or object.  Member arrays double in size
 * inside the arena (the old one is simply left there), so a list of many
 * thousands of rows costs O(n) time and at most twice its space.
 */
static int
append(struct offmig_doc *doc, struct offmig_node *parent, const char *key,
    struct offmig_node *child)
{
	if (doc == NULL || doc->oom || parent == NULL || child == NULL)
		return -1;
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		struct member *m;

		if (cap > SIZE_MAX / 2 / sizeof(*m) ||
		    (m = arena_alloc(doc, cap * sizeof(*m))) == NULL) {
			doc->oom = 1;
			return -1;
		}
		if (parent->n > 0)
			memcpy(m, parent->m, parent->n * sizeof(*m));
		parent->m = m;
		parent->cap = cap;
	}
	parent->m[parent->n].key = key;
	parent->m[parent->n].node = child;
	parent->n++;
	return 0;
}

static struct offmig_node *
add(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    enum offmig_node_type type)
{
	struct offmig_node *n;
	const char *k;

	if (doc == NULL || obj == NULL || obj->type != OFFMIG_NODE_OBJECT)
		return NULL;
	if ((k = doc_strdup(doc, key)) == NULL || (n = node_new(doc, type)) ==
	    NULL)
		return NULL;
	return append(doc, obj, k, n) == 0 ? n : NULL;
}

static struct offmig_node *
push(struct offmig_doc *doc, struct offmig_node *arr,
    enum offmig_node_type type)
{
	struct offmig_node *n;

	if (doc == NULL || arr == NULL || arr->type != OFFMIG_NODE_ARRAY)
		return NULL;
	if ((n = node_new(doc, type)) == NULL)
		return NULL;
	return append(doc, arr, NULL, n) == 0 ? n : NULL;
}

void
doc_adopt(struct offmig_doc *doc, struct offmig_doc *child)
{
	struct chunk *tail;

	if (child == NULL)
		return;
	if (doc == NULL) {
		offmig_doc_free(child);
		return;
	}
	if (child->oom)
		doc->oom = 1;
	if (child->chunks != NULL) {
		/* Behind doc's current chunk, which keeps filling. */
		for (tail = child->chunks; tail->next != NULL; tail = tail->next)
			;
		if (doc->chunks != NULL) {
			tail->next = doc->chunks->next;
			doc->chunks->next = child->chunks;
		} else
			doc->chunks = child->chunks;
	}
	free(child);
}

struct offmig_node *
doc_new_object(struct offmig_doc *doc)
{
	return doc != NULL ? node_new(doc, OFFMIG_NODE_OBJECT) : NULL;
}

void
doc_push_node(struct offmig_doc *doc, struct offmig_node *arr,
    struct offmig_node *node)
{
	if (arr != NULL && arr->type == OFFMIG_NODE_ARRAY)
		(void)append(doc, arr, NULL, node);
}

struct offmig_node *
doc_add_object(struct offmig_doc *doc, struct offmig_node *obj,
    const char *key)
{
	return add(doc, obj, key, OFFMIG_NODE_OBJECT);
}

struct offmig_node *
doc_add_array(struct offmig_doc *doc, struct offmig_node *obj, const char *key)
{
	return add(doc, obj, key, OFFMIG_NODE_ARRAY);
}

static void
set_str(struct offmig_doc *doc, struct offmig_node *n, const char *s,
    size_t len)
{
	if (n == NULL)
		return;
	if (s == NULL) {
		n->type = OFFMIG_NODE_NULL;
		return;
	}
	n->s = arena_strndup(doc, s, len);
	n->slen = len;
	if (n->s == NULL)
		n->type = OFFMIG_NODE_NULL;
}

void
doc_add_strn(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    const char *s, size_t len)
{
	set_str(doc, add(doc, obj, key, OFFMIG_NODE_STRING), s, len);
}

void
doc_add_str(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    const char *s)
{
	doc_add_strn(doc, obj, key, s, s != NULL ? strlen(s) : 0);
}

void
doc_add_int(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    int64_t v)
{
	struct offmig_node *n = add(doc, obj, key, OFFMIG_NODE_INT);

	if (n != NULL)
		n->i = v;
}

void
doc_add_bool(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    int v)
{
	struct offmig_node *n = add(doc, obj, key, OFFMIG_NODE_BOOL);

	if (n != NULL)
		n->i = v != 0;
}

void
doc_add_null(struct offmig_doc *doc, struct offmig_node *obj, const char *key)
{
	(void)add(doc, obj, key, OFFMIG_NODE_NULL);
}

void
doc_add_time(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    int64_t t)
{
	char buf[32];

	doc_add_str(doc, obj, key, iso8601(t, buf, sizeof(buf)));
}

static struct offmig_node *
copy_node(struct offmig_doc *doc, const struct offmig_node *src)
{
	struct offmig_node *n;
	size_t i;

	if ((n = node_new(doc, src->type)) == NULL)
		return NULL;
	n->i = src->i;
	if (src->type == OFFMIG_NODE_STRING)
		set_str(doc, n, src->s, src->slen);
	for (i = 0; i < src->n; i++) {
		struct offmig_node *c = copy_node(doc, src->m[i].node);
		const char *k = src->m[i].key != NULL ?
		    doc_strdup(doc, src->m[i].key) : NULL;

		if (c == NULL || append(doc, n, k, c) != 0)
			return NULL;
	}
	return n;
}

void
doc_add_copy(struct offmig_doc *doc, struct offmig_node *obj, const char *key,
    const struct offmig_node *src)
{
	struct offmig_node *n;
	const char *k;

	if (doc == NULL || obj == NULL || src == NULL ||
	    obj->type != OFFMIG_NODE_OBJECT)
		return;
	if ((k = doc_strdup(doc, key)) == NULL || (n = copy_node(doc, src)) ==
	    NULL)
		return;
	(void)append(doc, obj, k, n);
}

struct offmig_node *
doc_push_object(struct offmig_doc *doc, struct offmig_node *arr)
{
	return push(doc, arr, OFFMIG_NODE_OBJECT);
}

struct offmig_node *
doc_push_array(struct offmig_doc *doc, struct offmig_node *arr)
{
	return push(doc, arr, OFFMIG_NODE_ARRAY);
}

void
doc_push_str(struct offmig_doc *doc, struct offmig_node *arr, const char *s)
{
	set_str(doc, push(doc, arr, OFFMIG_NODE_STRING), s,
	    s != NULL ? strlen(s) : 0);
}

void
doc_push_int(struct offmig_doc *doc, struct offmig_node *arr, int64_t v)
{
	struct offmig_node *n = push(doc, arr, OFFMIG_NODE_INT);

	if (n != NULL)
		n->i = v;
}

void
doc_push_copy(struct offmig_doc *doc, struct offmig_node *arr,
    const struct offmig_node *src)
{
	struct offmig_node *n;

	if (doc == NULL || arr == NULL || src == NULL ||
	    arr->type != OFFMIG_NODE_ARRAY)
		return;
	if ((n = copy_node(doc, src)) != NULL)
		(void)append(doc, arr, NULL, n);
}

int
doc_array_reorder(struct offmig_node *arr, size_t from,
    struct offmig_node *const *order, size_t n)
{
	size_t i;

	if (arr == NULL || arr->type != OFFMIG_NODE_ARRAY || from > arr->n ||
	    n != arr->n - from)
		return -1;
	for (i = 0; i < n; i++)
		arr->m[from + i].node = order[i];
	return 0;
}

static struct offmig_node *
member(const struct offmig_node *n, const char *key, size_t keylen)
{
	size_t i;

	if (n == NULL || n->type != OFFMIG_NODE_OBJECT)
		return NULL;
	for (i = 0; i < n->n; i++)
		if (strncmp(n->m[i].key, key, keylen) == 0 &&
		    n->m[i].key[keylen] == '\0')
			return n->m[i].node;
	return NULL;
}

struct offmig_node *
doc_get_mut(struct offmig_node *obj, const char *key)
{
	return key != NULL ? member(obj, key, strlen(key)) : NULL;
}

enum offmig_node_type
offmig_node_type(const struct offmig_node *n)
{
	return n != NULL ? n->type : OFFMIG_NODE_NULL;
}

const struct offmig_node *
offmig_node_get(const struct offmig_node *n, const char *path)
{
	const char *dot;

	if (path == NULL)
		return NULL;
	while (n != NULL && (dot = strchr(path, '.')) != NULL) {
		n = member(n, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return member(n, path, strlen(path));
}

size_t
offmig_node_len(const struct offmig_node *n)
{
	if (n == NULL || (n->type != OFFMIG_NODE_ARRAY &&
	    n->type != OFFMIG_NODE_OBJECT))
		return 0;
	return n->n;
}

const struct offmig_node *
offmig_node_at(const struct offmig_node *n, size_t i)
{
	if (i >= offmig_node_len(n))
		return NULL;
	return n->m[i].node;
}

const char *
offmig_node_key(const struct offmig_node *n, size_t i)
{
	if (n == NULL || n->type != OFFMIG_NODE_OBJECT || i >= n->n)
		return NULL;
	return n->m[i].key;
}

const char *
offmig_node_str(const struct offmig_node *n, size_t *lenp)
{
	if (n == NULL || n->type != OFFMIG_NODE_STRING)
		return NULL;
	if (lenp != NULL)
		*lenp = n->slen;
	return n->s;
}

int64_t
offmig_node_int(const struct offmig_node *n)
{
	if (n == NULL || (n->type != OFFMIG_NODE_INT &&
	    n->type != OFFMIG_NODE_BOOL))
		return 0;
	return n->i;
}

const char *
offmig_node_get_str(const struct offmig_node *n, const char *path)
{
	return offmig_node_str(offmig_node_get(n, path), NULL);
}
