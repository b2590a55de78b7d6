/* The control socket over a real UNIX socket, driven by a small poll()
 * loop that implements the ctl_io_ops watch interface: greeting and dump,
 * stale and live sockets, read-only peers (a child process that becomes
 * nobody, when the test runs as root), control-group members, bad input,
 * half-closed clients, a monitor in both dialects, a client that never
 * reads, and 200 clients at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/sys/control_socket.h"
#include "tests/unit/test_engine_util.h"

/* ------------------------------------------------------------ a poll loop */

#define MAX_WATCH 1024

struct watch {
	bool used;
	int fd;
	bool read, write;
	ctl_io_fn *fn;
	void *arg;
};

struct ploop {
	struct watch w[MAX_WATCH];
	bool write_events;
};

static void *pl_watch(void *io, int fd, bool read, bool write, ctl_io_fn *fn, void *arg)
{
	struct ploop *l = io;
	for (size_t i = 0; i < MAX_WATCH; i++) {
		if (l->w[i].used)
			continue;
		l->w[i] = (struct watch){ true, fd, read, write, fn, arg };
		return &l->w[i];
	}
	return NULL;
}

static void pl_unwatch(void *io, void *h)
{
	(void)io;
	((struct watch *)h)->used = false;
}

/* One round: calls every watcher whose fd is ready. */
static void pl_pump(struct ploop *l, int timeout_ms)
{
	struct pollfd p[MAX_WATCH];
	size_t idx[MAX_WATCH], n = 0;
	for (size_t i = 0; i < MAX_WATCH; i++) {
		if (!l->w[i].used)
			continue;
		p[n].fd = l->w[i].fd;
		p[n].events = (short)((l->w[i].read ? POLLIN : 0) | (l->w[i].write ? POLLOUT : 0));
		p[n].revents = 0;
		idx[n++] = i;
	}
	if (poll(p, n, timeout_ms) <= 0)
		return;
	for (size_t k = 0; k < n; k++) {
		struct watch *w = &l->w[idx[k]];
		if (p[k].revents && w->used && w->fd == p[k].fd)
			w->fn(w->arg, w->fd);
	}
}

/* ------------------------------------------------------------ fixture */

struct fx {
	struct harness h;
	struct ploop loop;
	struct control_socket *cs;
	char dir[64];
	char path[256];
	int commands;
	char last_cmd[128];
	char log[4096];
};

static int fake_command(void *arg, const struct ctl_cmd *cmd, char *err, size_t errlen)
{
	struct fx *f = arg;
	f->commands++;
	snprintf(f->last_cmd, sizeof(f->last_cmd), "%d %s", (int)cmd->kind, cmd->ifname);
	if (cmd->kind == CTL_CMD_FLUSH_INTERFACE && strcmp(cmd->ifname, "nosuch") == 0) {
		snprintf(err, errlen, "no interface nosuch");
		return -1;
	}
	if (cmd->kind == CTL_CMD_CONFIG && cmd->config_len >= 13 &&
	    memcmp(cmd->config + cmd->config_len - 6, "banana", 6) == 0) {
		snprintf(err, errlen, "bad duration 'banana'");
		return CTL_COMMAND_BAD;
	}
	return 0;
}

static void fake_log(void *arg, int level, const char *msg)
{
	struct fx *f = arg;
	(void)level;
	size_t l = strlen(f->log);
	snprintf(f->log + l, sizeof(f->log) - l, "%s\n", msg);
}

static struct control_socket *fx_open(struct fx *f, const char *group, size_t out_limit,
				      char *err, size_t errlen)
{
	static const struct ctl_io_ops ops_w = { pl_watch, pl_unwatch, true };
	static const struct ctl_io_ops ops_nw = { pl_watch, pl_unwatch, false };
	struct control_config cfg = { .path = f->path, .group = group, .version = "maille-test",
				      .host = "testhost", .out_limit = out_limit };
	struct control_hooks hooks = { .command = fake_command, .log = fake_log, .arg = f };
	static const uint8_t rid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	return control_socket_new(&cfg, f->loop.write_events ? &ops_w : &ops_nw, &f->loop, &hooks,
				  f->h.e, rid, f->h.now, err, errlen);
}

static int fx_setup_common(void **state, bool write_events)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	h_init(&f->h, 3, NULL);
	h_if_up(&f->h, 1, IF_TYPE_WIRED);
	h_neighbour_hello(&f->h, 1, 9, 1, 96);
	h_advance(&f->h, 100);
	f->loop.write_events = write_events;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ctltestXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	chmod(f->dir, 0755);
	/* A directory that does not exist yet: the socket creates it. */
	snprintf(f->path, sizeof(f->path), "%s/run/mailled.sock", f->dir);
	char err[256] = "";
	f->cs = fx_open(f, NULL, 0, err, sizeof(err));
	if (!f->cs)
		fail_msg("control_socket_new: %s", err);
	*state = f;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_setup_common(state, true);
}

static int fx_setup_nowrite(void **state)
{
	return fx_setup_common(state, false);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	control_socket_free(f->cs);
	struct stat st;
	assert_int_equal(stat(f->path, &st), -1); /* removed on exit */
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	h_free(&f->h);
	free(f);
	return 0;
}

static void fx_step(struct fx *f, int timeout_ms)
{
	pl_pump(&f->loop, timeout_ms);
	control_socket_tick(f->cs, f->h.now);
}

static int client_connect(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void client_send(int fd, const char *s)
{
	size_t n = strlen(s);
	assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads what is there (non-blocking) and appends to buf. */
static size_t client_read(int fd, char *buf, size_t size, size_t len)
{
	for (;;) {
		if (len + 1 >= size)
			break;
		ssize_t n = recv(fd, buf + len, size - len - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* Pumps the daemon side until buf holds `want` occurrences of needle. */
static size_t count_of(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static size_t converse(struct fx *f, int fd, char *buf, size_t size, const char *needle,
		       size_t want)
{
	size_t len = strlen(buf);
	for (int i = 0; i < 2000 && count_of(buf, needle) < want; i++) {
		fx_step(f, 1);
		len = client_read(fd, buf, size, len);
	}
	return len;
}

/* ------------------------------------------------------------ tests */

static void test_greeting_dump(void **state)
{
	struct fx *f = *state;
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	int fd = client_connect(f->path);
	assert_true(fd >= 0);
	char buf[8192] = "";
	converse(f, fd, buf, sizeof(buf), "ok\n", 1);
	assert_string_equal(buf, "BABEL 1.0\nversion maille-test\nhost testhost\n"
				 "my-id 01:02:03:04:05:06:07:08\nok\n");
	buf[0] = '\0';
	client_send(fd, "dump\n");
	converse(f, fd, buf, sizeof(buf), "ok\n", 1);
	assert_non_null(strstr(buf, "add interface eth1 up true ipv6 fe80::101\n"));
	assert_non_null(strstr(buf, "add neighbour "));
	buf[0] = '\0';
	client_send(fd, "json\nstatus\n");
	converse(f, fd, buf, sizeof(buf), "{\"reply\":\"ok\"}", 2);
	assert_non_null(strstr(buf, "{\"kind\":\"status\",\"router_id\":\"01:02:03:04:05:06:07:08\""));
	assert_non_null(strstr(buf, "\"neighbours\":1,"));
	buf[0] = '\0';
	client_send(fd, "dump\n");
	converse(f, fd, buf, sizeof(buf), "{\"reply\":\"ok\"}", 1);
	assert_non_null(strstr(buf, "{\"verb\":\"add\",\"kind\":\"router\""));
	assert_non_null(strstr(buf, "\"kind\":\"neighbour\""));
	/* Write commands reach the daemon hook (we are root or the daemon's uid). */
	buf[0] = '\0';
	client_send(fd, "text\nflush interface eth1\nflush interface nosuch\n");
	converse(f, fd, buf, sizeof(buf), "no ", 1);
	/* The answer to "text" is already in the new dialect. */
	assert_string_equal(buf, "ok\nok\nno no interface nosuch\n");
	assert_int_equal(f->commands, 2);
	/* A statement the daemon cannot parse is a bad command, not a refusal. */
	buf[0] = '\0';
	client_send(fd, "interface eth1 hello-interval banana\n");
	converse(f, fd, buf, sizeof(buf), "bad ", 1);
	assert_string_equal(buf, "bad bad duration 'banana'\n");
	assert_int_equal(f->commands, 3);
	/* quit closes. */
	client_send(fd, "quit\n");
	for (int i = 0; i < 50; i++)
		fx_step(f, 1);
	char c;
	assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), 0);
	close(fd);
	for (int i = 0; i < 5; i++)
		fx_step(f, 1);
	assert_int_equal(control_socket_clients(f->cs), 0);
}

static void test_stale_and_live(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	/* A second daemon on the same path is refused: the first is alive. */
	struct control_socket *cs2 = fx_open(f, NULL, 0, err, sizeof(err));
	assert_null(cs2);
	assert_non_null(strstr(err, "another mailled is running"));

	/* A stale socket (nobody listening) is replaced. */
	char stale[96];
	snprintf(stale, sizeof(stale), "%s/run/stale.sock", f->dir);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", stale);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	char saved[256];
	snprintf(saved, sizeof(saved), "%s", f->path);
	snprintf(f->path, sizeof(f->path), "%s", stale);
	cs2 = fx_open(f, NULL, 0, err, sizeof(err));
	if (!cs2)
		fail_msg("stale socket not replaced: %s", err);
	int fd = client_connect(stale);
	assert_true(fd >= 0);
	close(fd);
	control_socket_free(cs2);

	/* Something else at the path is never removed. */
	int rf = open(stale, O_CREAT | O_WRONLY, 0600);
	assert_true(rf >= 0);
	close(rf);
	cs2 = fx_open(f, NULL, 0, err, sizeof(err));
	assert_null(cs2);
	assert_non_null(strstr(err, "is not a socket"));
	unlink(stale);

	/* A world-writable directory is refused. */
	char wdir[160];
	snprintf(wdir, sizeof(wdir), "%s/open", f->dir);
	assert_int_equal(mkdir(wdir, 0777), 0);
	chmod(wdir, 0777);
	snprintf(f->path, sizeof(f->path), "%s/open/s", f->dir);
	cs2 = fx_open(f, NULL, 0, err, sizeof(err));
	assert_null(cs2);
	assert_non_null(strstr(err, "writable by everyone"));
	rmdir(wdir);
	/* A path too long for sun_path, and an unknown group. */
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	snprintf(f->path, sizeof(f->path), "%s", longp);
	assert_null(fx_open(f, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "longer than"));
	snprintf(f->path, sizeof(f->path), "%s/run/g.sock", f->dir);
	assert_null(fx_open(f, "no-such-group-maille", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "no such group"));
	snprintf(f->path, sizeof(f->path), "%s", saved);
}

/* A child that becomes uid 65534 (and gid, groups as given), connects,
 * sends cmds and writes what it got into out (a pipe). */
static pid_t spawn_peer(const char *path, gid_t gid, const char *cmds, int out)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	gid_t groups[1] = { gid };
	if (setgroups(1, groups) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
		_exit(3);
	int fd = client_connect(path);
	if (fd < 0)
		_exit(4);
	size_t n = strlen(cmds);
	if (send(fd, cmds, n, MSG_NOSIGNAL) != (ssize_t)n)
		_exit(5);
	shutdown(fd, SHUT_WR);
	char buf[16384];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r)
			_exit(6);
	_exit(0);
}

static void run_peer(struct fx *f, gid_t gid, const char *cmds, char *got, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = spawn_peer(f->path, gid, cmds, p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	size_t len = 0;
	int status = 0;
	for (int i = 0; i < 5000; i++) {
		fx_step(f, 1);
		ssize_t r = read(p[0], got + len, size - len - 1);
		if (r > 0)
			len += (size_t)r;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	ssize_t r;
	while ((r = read(p[0], got + len, size - len - 1)) > 0)
		len += (size_t)r;
	got[len] = '\0';
	close(p[0]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_unprivileged_reads_only(void **state)
{
	struct fx *f = *state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	char got[16384];
	run_peer(f, 65534, "dump\nreload\ninterface eth1 down\nstatus\n", got, sizeof(got));
	/* Reads work... */
	assert_non_null(strstr(got, "add interface eth1 up true"));
	assert_non_null(strstr(got, "status router-id "));
	/* ...writes are refused, clearly, and never reach the daemon. */
	assert_int_equal(count_of(got, "no permission denied: uid 65534 may only read (write needs root)\n"), 2);
	assert_int_equal(f->commands, 0);

	/* In the control group, the same peer may write: here the group is
	 * "users" (gid 100), which nobody belongs to unless its process has
	 * it as its group. */
	control_socket_free(f->cs);
	char err[256];
	struct group *gr = getgrgid(100);
	if (!gr) {
		f->cs = fx_open(f, NULL, 0, err, sizeof(err));
		return;
	}
	f->cs = fx_open(f, gr->gr_name, 0, err, sizeof(err));
	assert_non_null(f->cs);
	run_peer(f, 100, "reload\n", got, sizeof(got));
	assert_non_null(strstr(got, "\nok\nok\n")); /* greeting's ok, then reload's */
	assert_int_equal(f->commands, 1);
	/* Outside the group, it may not. */
	run_peer(f, 65534, "reload\n", got, sizeof(got));
	assert_non_null(strstr(got, "no permission denied: uid 65534 may only read (write needs root or group users)"));
	assert_int_equal(f->commands, 1);
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	int fd = client_connect(f->path);
	char buf[8192] = "";
	converse(f, fd, buf, sizeof(buf), "ok\n", 1);
	buf[0] = '\0';
	/* An overlong line: one answer, then the session goes on. */
	char big[3000];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	client_send(fd, big);
	client_send(fd, "\nstatus\n");
	converse(f, fd, buf, sizeof(buf), "ok\n", 1);
	assert_int_equal(count_of(buf, "bad line too long (limit 1024 bytes)\n"), 1);
	assert_non_null(strstr(buf, "status router-id"));
	assert_int_equal(strncmp(buf, "bad line too long", 17), 0);
	buf[0] = '\0';
	/* Binary junk and unknown words. */
	client_send(fd, "\x01\x02\xff\n");
	client_send(fd, "frobnicate\n");
	assert_int_equal(send(fd, "dump\0routes\n", 12, MSG_NOSIGNAL), 12);
	converse(f, fd, buf, sizeof(buf), "bad ", 3);
	assert_string_equal(buf, "bad binary or control byte 0x01 at column 1\n"
				 "bad unknown command \"frobnicate\"\n"
				 "bad binary or control byte 0x00 at column 5\n");
	close(fd);

	/* Half-closed: a last command without newline is answered, then close. */
	fd = client_connect(f->path);
	client_send(fd, "status");
	shutdown(fd, SHUT_WR);
	buf[0] = '\0';
	size_t len = 0;
	for (int i = 0; i < 200; i++) {
		fx_step(f, 1);
		len = client_read(fd, buf, sizeof(buf), len);
	}
	assert_non_null(strstr(buf, "status router-id"));
	assert_int_equal(count_of(buf, "ok\n"), 2);
	char c;
	assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), 0);
	close(fd);
	for (int i = 0; i < 5; i++)
		fx_step(f, 1);
	assert_int_equal(control_socket_clients(f->cs), 0);
}

static void test_monitor_both_dialects(void **state)
{
	struct fx *f = *state;
	int t = client_connect(f->path), j = client_connect(f->path);
	char bt[65536] = "", bj[65536] = "";
	converse(f, t, bt, sizeof(bt), "ok\n", 1);
	converse(f, j, bj, sizeof(bj), "ok\n", 1);
	client_send(t, "monitor\n");
	client_send(j, "json\nmonitor\n");
	converse(f, t, bt, sizeof(bt), "ok\n", 2);
	converse(f, j, bj, sizeof(bj), "{\"reply\":\"ok\"}", 2);
	assert_int_equal(control_socket_monitors(f->cs), 2);
	assert_non_null(strstr(bt, "add neighbour "));
	bt[0] = bj[0] = '\0';

	/* A neighbour comes. */
	h_neighbour_hello(&f->h, 1, 7, 1, 96);
	control_socket_event(f->cs, NULL);
	f->h.now += CTL_MONITOR_INTERVAL_MS;
	converse(f, t, bt, sizeof(bt), "address fe80::7", 1);
	converse(f, j, bj, sizeof(bj), "\"address\":\"fe80::7\"", 1);
	assert_non_null(strstr(bt, "add neighbour "));
	assert_non_null(strstr(bj, "{\"verb\":\"add\",\"kind\":\"neighbour\""));

	/* It announces a route, then changes its metric. */
	struct h_pkt p;
	hp_init(&p);
	hp_hello(&p, 2, 400, false);
	hp_update(&p, "2001:db8:7::/48", NULL, 1, 10, RID_B, 400);
	hp_send(&f->h, &p, 1, 7, true);
	h_advance(&f->h, 100);
	control_socket_event(f->cs, NULL);
	f->h.now += CTL_MONITOR_INTERVAL_MS;
	converse(f, t, bt, sizeof(bt), "add route ", 1);
	converse(f, j, bj, sizeof(bj), "\"kind\":\"route\"", 1);
	assert_non_null(strstr(bt, "prefix 2001:db8:7::/48 from ::/0"));
	hp_init(&p);
	hp_update(&p, "2001:db8:7::/48", NULL, 2, 500, RID_B, 400);
	hp_send(&f->h, &p, 1, 7, true);
	h_advance(&f->h, 100);
	control_socket_event(f->cs, NULL);
	f->h.now += CTL_MONITOR_INTERVAL_MS;
	converse(f, t, bt, sizeof(bt), "change route ", 1);
	converse(f, j, bj, sizeof(bj), "{\"verb\":\"change\",\"kind\":\"route\"", 1);
	assert_non_null(strstr(bt, "refmetric 500 via fe80::7 if eth1"));

	/* And goes: its Hellos stop. */
	bt[0] = bj[0] = '\0';
	h_advance(&f->h, 120000);
	control_socket_event(f->cs, NULL);
	f->h.now += CTL_MONITOR_INTERVAL_MS;
	converse(f, t, bt, sizeof(bt), "flush neighbour ", 1);
	converse(f, j, bj, sizeof(bj), "{\"verb\":\"flush\",\"kind\":\"neighbour\"", 1);
	assert_non_null(strstr(bt, "flush route "));

	/* unmonitor: no more changes. */
	client_send(t, "unmonitor\n");
	bt[0] = '\0';
	converse(f, t, bt, sizeof(bt), "ok\n", 1);
	assert_int_equal(control_socket_monitors(f->cs), 1);
	close(t);
	close(j);
	for (int i = 0; i < 5; i++)
		fx_step(f, 1);
	assert_int_equal(control_socket_monitors(f->cs), 0);
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void test_slow_client_dropped(void **state)
{
	struct fx *f = *state;
	control_socket_free(f->cs);
	char err[256];
	f->cs = fx_open(f, NULL, 64 * 1024, err, sizeof(err));
	assert_non_null(f->cs);
	int slow = client_connect(f->path), good = client_connect(f->path);
	int small = 4096;
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	char bg[1 << 16] = "";
	converse(f, good, bg, sizeof(bg), "ok\n", 1);
	client_send(slow, "monitor\n");
	client_send(good, "monitor\n");
	converse(f, good, bg, sizeof(bg), "ok\n", 2);
	/* Many routes that keep changing: the slow client's buffer fills. */
	uint64_t worst_us = 0;
	size_t good_lines = 0;
	for (int round = 0; round < 60 && control_socket_dropped(f->cs) == 0; round++) {
		struct h_pkt p;
		hp_init(&p);
		hp_hello(&p, (uint16_t)(10 + round), 400, false);
		for (int k = 0; k < 40; k++) {
			char pfx[64];
			snprintf(pfx, sizeof(pfx), "2001:db8:%x::/48", 0x100 + k);
			hp_update(&p, pfx, NULL, (uint16_t)(round + 1), (uint16_t)(10 + round * 7 + k),
				  RID_C, 400);
		}
		hp_send(&f->h, &p, 1, 9, true);
		h_advance(&f->h, 100);
		control_socket_event(f->cs, NULL);
		f->h.now += CTL_MONITOR_INTERVAL_MS;
		uint64_t t0 = mono_us();
		control_socket_tick(f->cs, f->h.now);
		uint64_t dt = mono_us() - t0;
		if (dt > worst_us)
			worst_us = dt;
		for (int i = 0; i < 5; i++) {
			pl_pump(&f->loop, 0);
			bg[0] = '\0';
			client_read(good, bg, sizeof(bg), 0);
			good_lines += count_of(bg, "\n");
		}
	}
	assert_int_equal(control_socket_dropped(f->cs), 1);
	assert_non_null(strstr(f->log, "not reading its monitor output"));
	/* The reader kept getting its lines, and no tick waited on anyone. */
	assert_true(good_lines > 100);
	assert_true(worst_us < 200000);
	print_message("# slow client dropped; worst tick %llu us, %zu lines to the reader\n",
		      (unsigned long long)worst_us, good_lines);
	char c;
	for (int i = 0; i < 5; i++)
		fx_step(f, 1);
	/* Its connection is closed (after what was in flight). */
	ssize_t r;
	while ((r = recv(slow, bg, sizeof(bg), MSG_DONTWAIT)) > 0)
		;
	assert_int_equal(recv(slow, &c, 1, MSG_DONTWAIT), 0);
	close(slow);
	close(good);
}

static void test_200_clients(void **state)
{
	struct fx *f = *state;
	enum { N = 200 };
	int fds[N];
	static char bufs[N][4096];
	for (int i = 0; i < N; i++) {
		fds[i] = client_connect(f->path);
		assert_true(fds[i] >= 0);
		bufs[i][0] = '\0';
		client_send(fds[i], i % 2 ? "dump\n" : "json\nstatus\n");
	}
	size_t lens[N] = { 0 };
	int done = 0;
	for (int round = 0; round < 3000 && done < N; round++) {
		fx_step(f, 1);
		done = 0;
		for (int i = 0; i < N; i++) {
			lens[i] = client_read(fds[i], bufs[i], sizeof(bufs[i]), lens[i]);
			if (i % 2 ? count_of(bufs[i], "ok\n") >= 2
				  : count_of(bufs[i], "{\"reply\":\"ok\"}") >= 2)
				done++;
		}
	}
	assert_int_equal(done, N);
	assert_int_equal(control_socket_clients(f->cs), N);
	assert_non_null(strstr(bufs[1], "add interface eth1"));
	assert_non_null(strstr(bufs[0], "{\"kind\":\"status\""));
	for (int i = 0; i < N; i++)
		close(fds[i]);
	for (int i = 0; i < 10; i++)
		fx_step(f, 1);
	assert_int_equal(control_socket_clients(f->cs), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting_dump, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_greeting_dump, fx_setup_nowrite, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_live, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_reads_only, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, fx_setup_nowrite, fx_teardown),
		cmocka_unit_test_setup_teardown(test_monitor_both_dialects, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_200_clients, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_200_clients, fx_setup_nowrite, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
