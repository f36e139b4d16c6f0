/*
 * doc.h - building report documents (struct offmig_doc).  A document owns
 * every node and string in it (one arena), so a report is freed in one call.
 *
 * Building never fails visibly: when memory runs out the document records
 * it, later calls do nothing, and doc_status() returns OFFMIG_ENOMEM.  Every
 * function accepts a NULL parent and then does nothing, so a builder can
 * chain calls without checking each one.
 */
#ifndef OFFMIG_DOC_H
#define OFFMIG_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "offmig.h"

/* A new document whose root is an empty object, or NULL on ENOMEM. */
struct offmig_doc	*doc_new(void);
struct offmig_node	*doc_root_mut(struct offmig_doc *doc);
/* OFFMIG_OK, or OFFMIG_ENOMEM if any allocation failed while building. */
int			 doc_status(const struct offmig_doc *doc);
/* Records an allocation failure of the builder's own: status ENOMEM. */
void			 doc_fail(struct offmig_doc *doc);
/* Copies s into the document's arena; NULL on ENOMEM or when s is NULL. */
const char		*doc_strdup(struct offmig_doc *doc, const char *s);

/*
 * Object members.  Adding a key that already exists appends a second member
 * of that name; builders do not do that.  s == NULL stores a null.
 */
struct offmig_node	*doc_add_object(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key);
struct offmig_node	*doc_add_array(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key);
void			 doc_add_str(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key, const char *s);
void			 doc_add_strn(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key,
			    const char *s, size_t len);
void			 doc_add_int(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key, int64_t v);
void			 doc_add_bool(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key, int v);
void			 doc_add_null(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key);
/* Unix seconds as an ISO 8601 string, or null for NO_TIME. */
void			 doc_add_time(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key, int64_t t);
/* Adds a copy of src (a node of any document) as member key of obj. */
void			 doc_add_copy(struct offmig_doc *doc,
			    struct offmig_node *obj, const char *key,
			    const struct offmig_node *src);

/* Array elements. */
struct offmig_node	*doc_push_object(struct offmig_doc *doc,
			    struct offmig_node *arr);
struct offmig_node	*doc_push_array(struct offmig_doc *doc,
			    struct offmig_node *arr);
void			 doc_push_str(struct offmig_doc *doc,
			    struct offmig_node *arr, const char *s);
void			 doc_push_int(struct offmig_doc *doc,
			    struct offmig_node *arr, int64_t v);
void			 doc_push_copy(struct offmig_doc *doc,
			    struct offmig_node *arr, const struct offmig_node *src);

/*
 * Puts the elements from index from to the end of arr in the order given
 * (order must hold exactly those n nodes), so a builder can add rows
 * straight into a report and sort them afterwards.  Returns 0, or -1 when
 * n does not match (nothing is changed then).
 */
int			 doc_array_reorder(struct offmig_node *arr,
			    size_t from, struct offmig_node *const *order,
			    size_t n);

/*
 * Moves all of child's memory into doc and frees child, so that nodes built
 * in child (by another thread, say) can be linked into doc with
 * doc_push_node() without being copied.  child's root is left unlinked.
 * An allocation failure in child makes doc's status ENOMEM.
 */
void			 doc_adopt(struct offmig_doc *doc,
			    struct offmig_doc *child);
/* A new object in doc's arena that no parent holds yet (doc_push_node()). */
struct offmig_node	*doc_new_object(struct offmig_doc *doc);
/* Appends node, which must live in doc (built or adopted there), to arr. */
void			 doc_push_node(struct offmig_doc *doc,
			    struct offmig_node *arr, struct offmig_node *node);

/* Mutable lookup of an existing member (for adding to it later). */
struct offmig_node	*doc_get_mut(struct offmig_node *obj, const char *key);

#endif /* OFFMIG_DOC_H */
