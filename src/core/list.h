/* A tiny intrusive doubly linked list.
 *
 * The list head is a sentinel node: an empty list is a head whose next and
 * prev point at itself, so insertion and removal never test for NULL. An
 * element embeds a struct list_node and is found back with container_of.
 * sys/queue.h would do the same job, but musl does not ship it.
 *
 *     struct neighbour { ...; struct list_node link; };
 *     struct list_node *n, *tmp;
 *     LIST_FOREACH_SAFE(n, tmp, &iface->neighbours) {
 *             struct neighbour *nb = container_of(n, struct neighbour, link);
 *             if (dead(nb)) list_remove(&nb->link);
 *     }
 */
#ifndef MAILLE_CORE_LIST_H
#define MAILLE_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#ifndef container_of
/* The structure of type TYPE whose field MEMBER is at PTR. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/* A static initialiser for a head or a detached node named NAME. */
#define LIST_INIT(name) { &(name), &(name) }

/* Makes HEAD an empty list (or NODE a detached node, see list_linked). */
static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Whether NODE sits in some list. Only meaningful for a node that was
 * list_init()ed or list_remove()d before, never for uninitialised memory. */
static inline bool list_linked(const struct list_node *node)
{
	return node->next != node;
}

static inline void list_insert_between_(struct list_node *node, struct list_node *prev,
					struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* Inserts NODE right after POS (POS may be the head: then at the front). */
static inline void list_insert_after(struct list_node *pos, struct list_node *node)
{
	list_insert_between_(node, pos, pos->next);
}

/* Inserts NODE right before POS (POS may be the head: then at the back). */
static inline void list_insert_before(struct list_node *pos, struct list_node *node)
{
	list_insert_between_(node, pos->prev, pos);
}

static inline void list_push_front(struct list_node *head, struct list_node *node)
{
	list_insert_after(head, node);
}

static inline void list_push_back(struct list_node *head, struct list_node *node)
{
	list_insert_before(head, node);
}

/* Unlinks NODE and leaves it detached (list_linked() is then false), so
 * removing it twice is harmless. */
static inline void list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/* First and last element, or NULL when the list is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

static inline struct list_node *list_last(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->prev;
}

/* Moves every element of FROM to the back of TO, in order; FROM ends empty. */
static inline void list_splice_back(struct list_node *to, struct list_node *from)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

static inline size_t list_length(const struct list_node *head)
{
	size_t n = 0;
	for (const struct list_node *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

/* Walks the nodes of HEAD front to back; POS is a struct list_node *. The
 * body must not remove POS (use LIST_FOREACH_SAFE for that). */
#define LIST_FOREACH(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* The same, but the body may remove POS (and only POS): TMP holds the next
 * node, fetched before the body runs. */
#define LIST_FOREACH_SAFE(pos, tmp, head)                                                          \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); (pos) = (tmp), (tmp) = (pos)->next)

/* Back to front. */
#define LIST_FOREACH_REVERSE(pos, head) for ((pos) = (head)->prev; (pos) != (head); (pos) = (pos)->prev)

#endif
