/*
 * decimal.h - exact decimal numbers for budgets, multipliers and SLOs.
 *
 * A value is mant / 10^scale, with a 64-bit mantissa. Results that do not
 * fit are refused (-1), never rounded, so 1500 x 1.15 is exactly 1725 and
 * 14.4 x 0.0001 exactly 0.00144: no binary floating point anywhere.
 *
 * Invariants: 0 <= scale <= CM_DEC_MAX_SCALE; values returned by these
 * functions are normalised (no trailing zero digits after the point), so
 * equal values have equal representations.
 *
 * Ownership: plain values; nothing allocates.
 */
#ifndef CM_DECIMAL_H
#define CM_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define CM_DEC_MAX_SCALE 18
#define CM_DEC_BUFSZ 48 /* enough for any formatted value */

typedef struct cm_dec {
	int64_t mant;
	int scale;
} cm_dec;

/*
 * Parse "[+-]digits[.digits]" (also ".5" and "5."); no exponents, no
 * spaces. Returns 0, or -1 when s is not such a number or does not fit.
 */
int cm_dec_parse(const char *s, cm_dec *out);

/*
 * Why s is not a number cm_dec_parse() accepts: NULL when it is, else a
 * static phrase to follow the value in a message ("is not a plain decimal
 * number ...", "has more than 18 digits after the decimal point", ...).
 */
const char *cm_dec_why(const char *s);

/* An integer as a decimal. */
cm_dec cm_dec_int(int64_t v);

/* a*b, a+b, a-b exactly: 0, or -1 on overflow (out unchanged). */
int cm_dec_mul(cm_dec a, cm_dec b, cm_dec *out);
int cm_dec_add(cm_dec a, cm_dec b, cm_dec *out);
int cm_dec_sub(cm_dec a, cm_dec b, cm_dec *out);

/* a / 10^n exactly (moves the point): 0, or -1 if the scale overflows. */
int cm_dec_shift(cm_dec a, int n, cm_dec *out);

/*
 * a / b rounded to at most max_scale digits after the point, toward zero.
 * Returns 0, 1 when the result was inexact (digits were dropped), or -1
 * on division by zero or overflow.
 */
int cm_dec_div(cm_dec a, cm_dec b, int max_scale, cm_dec *out);

/* -1, 0 or 1 as a <, ==, > b. */
int cm_dec_cmp(cm_dec a, cm_dec b);

/* The sign: -1, 0 or 1. */
int cm_dec_sign(cm_dec a);

/* True when a has no fractional part. */
int cm_dec_is_int(cm_dec a);

/*
 * Write a in plain notation without trailing zeros ("6000", "0.00144",
 * "-1.5") into buf (at least CM_DEC_BUFSZ bytes). Returns buf.
 */
char *cm_dec_format(cm_dec a, char *buf);

#endif
