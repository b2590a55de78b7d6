/* The config lexer (see lexer.h). */
#include "src/conf/lexer.h"

#include <stdio.h>
#include <string.h>

void lex_init(struct lexer *lx, const char *data, size_t len)
{
	lx->p = data;
	lx->end = data + len;
	lx->line = 1;
	lx->column = 1;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void advance(struct lexer *lx)
{
	lx->p++;
	lx->column++;
}

void lex_skip_line(struct lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		advance(lx);
}

static void error(struct lexer *lx, struct lex_token *t, const char *msg)
{
	t->kind = LEX_ERROR;
	snprintf(t->text, sizeof(t->text), "%s", msg);
	t->len = strlen(t->text);
	lex_skip_line(lx);
}

static bool put(struct lex_token *t, char ch)
{
	if (t->len >= LEX_WORD_MAX)
		return false;
	t->text[t->len++] = ch;
	return true;
}

void lex_next(struct lexer *lx, struct lex_token *t)
{
	t->len = 0;
	t->text[0] = '\0';
	t->quoted = false;
	while (lx->p < lx->end && is_space(*lx->p))
		advance(lx);
	if (lx->p < lx->end && *lx->p == '#')
		lex_skip_line(lx);
	t->line = lx->line;
	t->column = lx->column;
	if (lx->p >= lx->end) {
		t->kind = LEX_EOF;
		return;
	}
	if (*lx->p == '\n') {
		t->kind = LEX_EOL;
		lx->p++;
		lx->line++;
		lx->column = 1;
		return;
	}
	t->kind = LEX_WORD;
	if (*lx->p == '"') {
		t->quoted = true;
		advance(lx);
		for (;;) {
			if (lx->p >= lx->end || *lx->p == '\n')
				return error(lx, t, "unterminated string");
			char ch = *lx->p;
			if (ch == '\0')
				return error(lx, t, "NUL byte in input");
			if (ch == '"') {
				advance(lx);
				break;
			}
			if (ch == '\\') {
				advance(lx);
				if (lx->p >= lx->end || (*lx->p != '"' && *lx->p != '\\'))
					return error(lx, t, "bad escape in string (only \\\" and \\\\)");
				ch = *lx->p;
			}
			if (!put(t, ch))
				return error(lx, t, "word too long");
			advance(lx);
		}
		if (lx->p < lx->end && !is_space(*lx->p) && *lx->p != '\n' && *lx->p != '#')
			return error(lx, t, "garbage after closing quote");
	} else {
		while (lx->p < lx->end && !is_space(*lx->p) && *lx->p != '\n' && *lx->p != '#') {
			if (*lx->p == '\0')
				return error(lx, t, "NUL byte in input");
			if (*lx->p == '"')
				return error(lx, t, "quote inside a word");
			if (!put(t, *lx->p))
				return error(lx, t, "word too long");
			advance(lx);
		}
	}
	t->text[t->len] = '\0';
}

bool lex_is_plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch >= 0x7f || ch == '#' || ch == '"' || ch == '\\')
			return false;
	}
	return true;
}
