/* The config lexer: splits text into words, line by line.
 *
 * A word is a run of bytes other than space, tab, CR, newline and '#', or a
 * double-quoted string in which \" and \\ stand for " and \.  A '#' outside
 * quotes starts a comment that runs to the end of the line.  Statements
 * never span lines, so the lexer reports each end of line.  Columns count
 * bytes from 1. */
#ifndef MAILLE_CONF_LEXER_H
#define MAILLE_CONF_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#define LEX_WORD_MAX 1024 /* longest word, without its NUL */

enum lex_kind { LEX_WORD, LEX_EOL, LEX_EOF, LEX_ERROR };

struct lex_token {
	enum lex_kind kind;
	unsigned line, column;
	bool quoted;
	size_t len;
	char text[LEX_WORD_MAX + 1]; /* LEX_WORD: the word; LEX_ERROR: what is wrong */
};

struct lexer {
	const char *p, *end;
	unsigned line, column;
};

void lex_init(struct lexer *lx, const char *data, size_t len);

/* Reads the next token into *t.  After LEX_ERROR the rest of the line is
 * skipped, so the next call returns that line's LEX_EOL. */
void lex_next(struct lexer *lx, struct lex_token *t);

/* Skips what remains of the current line (up to, not including, its end). */
void lex_skip_line(struct lexer *lx);

/* Whether S prints as itself (no quoting needed). */
bool lex_is_plain_word(const char *s);

#endif
