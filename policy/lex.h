/* The policy lexer: hand-written, with line and column (internal). */
#ifndef SSHGATE_LEX_H
#define SSHGATE_LEX_H

#include "diag.h"

enum tk {
	T_EOF, T_NL, T_WORD, T_STRING, T_REGEX,
	T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_BAR, T_QMARK, T_STAR, T_PLUS,
	T_BAD		/* already reported */
};

/* In LEX_ARGS, '/' starts a regex and ()|?*+ are operators. */
enum lexmode { LEX_FIELD, LEX_ARGS };

struct token {
	enum tk		 t;
	struct loc	 at;
	char		*text;	/* WORD, STRING, REGEX: allocated, unescaped */
};

/* A "# sshgate-lint: allow NAME: REASON" comment. */
struct lex_allow {
	char		*name, *reason;
	struct loc	 at;
};

struct lexer {
	const struct source	*src;
	struct diags		*d;
	size_t			 pos;
	unsigned		 line, col;
	struct lex_allow	*allows;
	size_t			 nallows;
	int			 crlf;	/* a CRLF line end was reported */
};

void	lex_init(struct lexer *l, const struct source *src, struct diags *d);
void	lex_next(struct lexer *l, enum lexmode m, struct token *t);
void	lex_peek(struct lexer *l, enum lexmode m, struct token *t);
void	token_free(struct token *t);
const char *tk_name(enum tk t);

#endif
