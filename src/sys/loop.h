/* The event loop: the only user of libev (loop.c includes ev.h, nothing
 * else does).  File descriptors become read callbacks, signals become
 * callbacks run outside signal context, and one "tick" callback runs before
 * the loop blocks: it returns the next deadline (absolute, milliseconds on
 * the monotonic clock), and the loop wakes up then. */
#ifndef MAILLE_SYS_LOOP_H
#define MAILLE_SYS_LOOP_H

#include <stdint.h>

struct loop;
struct loop_fd;

typedef void loop_fd_fn(void *arg, int fd);
typedef void loop_signal_fn(void *arg, int signum);
typedef uint64_t loop_tick_fn(void *arg, uint64_t now_ms);

#define LOOP_NEVER UINT64_MAX

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Milliseconds on the monotonic clock. */
uint64_t loop_now_ms(void);

/* Calls fn when fd is readable.  NULL on no memory. */
struct loop_fd *loop_add_fd(struct loop *l, int fd, loop_fd_fn *fn, void *arg);
void loop_del_fd(struct loop *l, struct loop_fd *w);

int loop_add_signal(struct loop *l, int signum, loop_signal_fn *fn, void *arg);

void loop_set_tick(struct loop *l, loop_tick_fn *fn, void *arg);

/* Runs until loop_stop(). */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
