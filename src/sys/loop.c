#include "src/sys/loop.h"

#include <ev.h>
#include <stdlib.h>
#include <time.h>

#define LOOP_MAX_SIGNALS 8

struct loop_fd {
	ev_io io;
	loop_fd_fn *fn;
	void *arg;
};

struct loop_sig {
	ev_signal sig;
	loop_signal_fn *fn;
	void *arg;
};

struct loop {
	struct ev_loop *ev;
	ev_prepare prepare;
	ev_timer timer;
	loop_tick_fn *tick;
	void *tick_arg;
	struct loop_sig sigs[LOOP_MAX_SIGNALS];
	int n_sigs;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Runs before every poll: whatever the callbacks fed to the engine is
 * processed, and the timer is set to the engine's next deadline. */
static void on_prepare(struct ev_loop *ev, ev_prepare *w, int revents)
{
	(void)revents;
	struct loop *l = w->data;
	if (!l->tick)
		return;
	uint64_t now = loop_now_ms();
	uint64_t next = l->tick(l->tick_arg, now);
	ev_timer_stop(ev, &l->timer);
	if (next == LOOP_NEVER)
		return;
	double delay = next > now ? (double)(next - now) / 1000.0 : 0.0;
	/* libev's own clock is cached; waking a millisecond late is harmless,
	 * waking early only costs one more tick. */
	ev_timer_set(&l->timer, delay + 0.0005, 0.0);
	ev_timer_start(ev, &l->timer);
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)w;
	(void)revents;
	/* Nothing to do here: the prepare watcher runs the engine. */
}

static void on_io(struct ev_loop *ev, ev_io *w, int revents)
{
	(void)ev;
	(void)revents;
	struct loop_fd *f = (struct loop_fd *)w;
	f->fn(f->arg, w->fd);
}

static void on_signal(struct ev_loop *ev, ev_signal *w, int revents)
{
	(void)ev;
	(void)revents;
	struct loop_sig *s = (struct loop_sig *)w;
	s->fn(s->arg, w->signum);
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->ev = ev_default_loop(EVFLAG_AUTO);
	if (!l->ev) {
		free(l);
		return NULL;
	}
	ev_prepare_init(&l->prepare, on_prepare);
	l->prepare.data = l;
	ev_prepare_start(l->ev, &l->prepare);
	ev_init(&l->timer, on_timer);
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	ev_prepare_stop(l->ev, &l->prepare);
	ev_timer_stop(l->ev, &l->timer);
	for (int i = 0; i < l->n_sigs; i++)
		ev_signal_stop(l->ev, &l->sigs[i].sig);
	free(l);
}

struct loop_fd *loop_add_fd(struct loop *l, int fd, loop_fd_fn *fn, void *arg)
{
	struct loop_fd *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fn = fn;
	f->arg = arg;
	ev_io_init(&f->io, on_io, fd, EV_READ);
	ev_io_start(l->ev, &f->io);
	return f;
}

void loop_del_fd(struct loop *l, struct loop_fd *f)
{
	if (!f)
		return;
	ev_io_stop(l->ev, &f->io);
	free(f);
}

int loop_add_signal(struct loop *l, int signum, loop_signal_fn *fn, void *arg)
{
	if (l->n_sigs >= LOOP_MAX_SIGNALS)
		return -1;
	struct loop_sig *s = &l->sigs[l->n_sigs++];
	s->fn = fn;
	s->arg = arg;
	ev_signal_init(&s->sig, on_signal, signum);
	ev_signal_start(l->ev, &s->sig);
	return 0;
}

void loop_set_tick(struct loop *l, loop_tick_fn *fn, void *arg)
{
	l->tick = fn;
	l->tick_arg = arg;
}

void loop_run(struct loop *l)
{
	ev_run(l->ev, 0);
}

void loop_stop(struct loop *l)
{
	ev_break(l->ev, EVBREAK_ALL);
}
