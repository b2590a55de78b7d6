/* Logging: stderr in the foreground, syslog when daemonised.
 *
 * Levels follow -d: 0 prints errors, warnings and notices, 1 adds
 * informational lines, 2 debugging, 3 tracing of every packet.  Lines
 * caused by remote input go through a rate limiter so that a peer cannot
 * flood the log. */
#ifndef MAILLE_SYS_LOG_H
#define MAILLE_SYS_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_L_ERROR = -2, LOG_L_WARN = -1, LOG_L_NOTICE = 0, LOG_L_INFO = 1,
		 LOG_L_DEBUG = 2, LOG_L_TRACE = 3 };

void log_init(int level, bool use_syslog);
int log_level(void);
/* A new level (reload): the destination stays. */
void log_set_level(int level);
bool log_enabled(int level);

__attribute__((format(printf, 2, 3)))
void log_msg(int level, const char *fmt, ...);

#define log_error(...) log_msg(LOG_L_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_L_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_L_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_L_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_L_DEBUG, __VA_ARGS__)

/* A token bucket: at most `burst` lines, refilled at one line per
 * `interval_ms`.  Lines dropped are counted and reported with the next one
 * that passes. */
struct log_ratelimit {
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t tokens;
	uint64_t last_ms;
	uint64_t suppressed;
};
#define LOG_RATELIMIT_INIT(interval, burst_) { (interval), (burst_), (burst_), 0, 0 }

/* Logs only when the limiter allows it. */
__attribute__((format(printf, 4, 5)))
void log_limited(struct log_ratelimit *rl, uint64_t now_ms, int level, const char *fmt, ...);

/* The pure decision, for tests: true when a line may go out at now_ms. */
bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ms);

#endif
