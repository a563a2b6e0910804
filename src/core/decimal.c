/* decimal.c - see decimal.h for the contract. */
#include "decimal.h"

#include <stdio.h>
#include <string.h>

static const int64_t cm_pow10[] = {
	1LL,
	10LL,
	100LL,
	1000LL,
	10000LL,
	100000LL,
	1000000LL,
	10000000LL,
	100000000LL,
	1000000000LL,
	10000000000LL,
	100000000000LL,
	1000000000000LL,
	10000000000000LL,
	100000000000000LL,
	1000000000000000LL,
	10000000000000000LL,
	100000000000000000LL,
	1000000000000000000LL,
};

/* Drop trailing zero digits after the point. */
static cm_dec cm_dec_norm(cm_dec a)
{
	while (a.scale > 0 && a.mant % 10 == 0) {
		a.mant /= 10;
		a.scale--;
	}
	if (a.mant == 0)
		a.scale = 0;
	return a;
}

cm_dec cm_dec_int(int64_t v)
{
	cm_dec d = {v, 0};

	return d;
}

/*
 * The parse behind cm_dec_parse(): 0, or the reason it fails (1 not a
 * number, 2 too many digits after the point, 3 too many digits). Zeros
 * after the point that no other digit follows are dropped (99.90 is 99.9
 * whatever their count).
 */
static int cm_dec_scan(const char *s, cm_dec *out)
{
	int64_t m = 0;
	int neg = 0, scale = 0, digits = 0, point = 0, zeros = 0;
	cm_dec d;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.') {
			if (point)
				return 1;
			point = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			return 1;
		digits++;
		if (point && *s == '0') {
			zeros++; /* kept only if another digit follows */
			continue;
		}
		for (; zeros > 0; zeros--) {
			if (scale == CM_DEC_MAX_SCALE)
				return 2;
			scale++;
			if (__builtin_mul_overflow(m, 10, &m))
				return 3;
		}
		if (point) {
			if (scale == CM_DEC_MAX_SCALE)
				return 2;
			scale++;
		}
		if (__builtin_mul_overflow(m, 10, &m) ||
		    __builtin_add_overflow(m, *s - '0', &m))
			return 3;
	}
	if (!digits)
		return 1;
	d.mant = neg ? -m : m;
	d.scale = scale;
	*out = cm_dec_norm(d);
	return 0;
}

int cm_dec_parse(const char *s, cm_dec *out)
{
	return cm_dec_scan(s, out) ? -1 : 0;
}

const char *cm_dec_why(const char *s)
{
	cm_dec d;

	int rc = cm_dec_scan(s, &d);

	if (rc == 3) {
		/* Too many digits: say so about the decimals when they alone
		 * are past the limit (trailing zeros do not count). */
		const char *p = strchr(s, '.'), *end;

		if (p) {
			end = p + strlen(p);
			while (end > p + 1 && end[-1] == '0')
				end--;
			if (end - p - 1 > CM_DEC_MAX_SCALE)
				rc = 2;
		}
	}
	switch (rc) {
	case 0:
		return NULL;
	case 2:
		return "has more than 18 digits after the decimal point";
	case 3:
		return "has more digits than can be held exactly (at most 18 "
		       "significant digits, e.g. 9999999999999)";
	default:
		return "is not a plain decimal number (digits with an "
		       "optional sign and '.'; no exponent, spaces or units)";
	}
}

/* Bring a and b to the same scale. 0, or -1 on overflow. */
static int cm_dec_align(cm_dec *a, cm_dec *b)
{
	while (a->scale < b->scale) {
		if (__builtin_mul_overflow(a->mant, 10, &a->mant))
			return -1;
		a->scale++;
	}
	while (b->scale < a->scale) {
		if (__builtin_mul_overflow(b->mant, 10, &b->mant))
			return -1;
		b->scale++;
	}
	return 0;
}

int cm_dec_mul(cm_dec a, cm_dec b, cm_dec *out)
{
	cm_dec r;

	if (__builtin_mul_overflow(a.mant, b.mant, &r.mant))
		return -1;
	r.scale = a.scale + b.scale;
	r = cm_dec_norm(r);
	if (r.scale > CM_DEC_MAX_SCALE)
		return -1;
	*out = r;
	return 0;
}

int cm_dec_add(cm_dec a, cm_dec b, cm_dec *out)
{
	cm_dec r;

	if (cm_dec_align(&a, &b) < 0 ||
	    __builtin_add_overflow(a.mant, b.mant, &r.mant))
		return -1;
	r.scale = a.scale;
	*out = cm_dec_norm(r);
	return 0;
}

int cm_dec_sub(cm_dec a, cm_dec b, cm_dec *out)
{
	if (b.mant == INT64_MIN)
		return -1;
	b.mant = -b.mant;
	return cm_dec_add(a, b, out);
}

int cm_dec_shift(cm_dec a, int n, cm_dec *out)
{
	cm_dec r = a;

	if (n < 0) {
		if (-n > CM_DEC_MAX_SCALE ||
		    __builtin_mul_overflow(r.mant, cm_pow10[-n], &r.mant))
			return -1;
		*out = cm_dec_norm(r);
		return 0;
	}
	r.scale += n;
	r = cm_dec_norm(r);
	if (r.scale > CM_DEC_MAX_SCALE)
		return -1;
	*out = r;
	return 0;
}

int cm_dec_div(cm_dec a, cm_dec b, int max_scale, cm_dec *out)
{
	int64_t num, den, q, rem;
	int scale, inexact = 0, neg;

	if (b.mant == 0 || max_scale < 0 || max_scale > CM_DEC_MAX_SCALE)
		return -1;
	/* a/b = (a.mant/b.mant) * 10^(b.scale - a.scale): long division on
	 * the mantissas, digit by digit, then move the point. */
	neg = (a.mant < 0) != (b.mant < 0);
	if (a.mant == INT64_MIN || b.mant == INT64_MIN)
		return -1;
	num = a.mant < 0 ? -a.mant : a.mant;
	den = b.mant < 0 ? -b.mant : b.mant;
	q = num / den;
	rem = num % den;
	scale = a.scale - b.scale;
	while (rem && scale < max_scale) {
		int64_t digit;

		if (__builtin_mul_overflow(q, 10, &q))
			return -1;
		if (rem > INT64_MAX / 10) {
			/* Scale the divisor down instead: loses nothing here
			 * only if it divides; otherwise report inexact. */
			return -1;
		}
		rem *= 10;
		digit = rem / den;
		rem %= den;
		q += digit;
		scale++;
	}
	if (rem)
		inexact = 1;
	while (scale < 0) {
		if (__builtin_mul_overflow(q, 10, &q))
			return -1;
		scale++;
	}
	while (scale > max_scale) {
		if (q % 10)
			inexact = 1;
		q /= 10;
		scale--;
	}
	out->mant = neg ? -q : q;
	out->scale = scale;
	*out = cm_dec_norm(*out);
	return inexact;
}

int cm_dec_cmp(cm_dec a, cm_dec b)
{
	cm_dec d;

	if (cm_dec_sub(a, b, &d) == 0)
		return cm_dec_sign(d);
	/* Overflow while aligning: compare the integer parts, then fall
	 * back to signs (values this far apart differ in magnitude). */
	if ((a.mant < 0) != (b.mant < 0))
		return a.mant < 0 ? -1 : 1;
	{
		int64_t ia = a.mant / cm_pow10[a.scale];
		int64_t ib = b.mant / cm_pow10[b.scale];

		if (ia != ib)
			return ia < ib ? -1 : 1;
		return a.scale < b.scale ? (a.mant < 0 ? 1 : -1)
					 : (a.mant < 0 ? -1 : 1);
	}
}

int cm_dec_sign(cm_dec a)
{
	return (a.mant > 0) - (a.mant < 0);
}

int cm_dec_is_int(cm_dec a)
{
	return cm_dec_norm(a).scale == 0;
}

char *cm_dec_format(cm_dec a, char *buf)
{
	char digits[32];
	uint64_t m;
	int len, neg = a.mant < 0;
	char *p = buf;

	a = cm_dec_norm(a);
	m = neg ? (uint64_t)0 - (uint64_t)a.mant : (uint64_t)a.mant;
	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)m);
	if (neg)
		*p++ = '-';
	if (a.scale == 0) {
		memcpy(p, digits, (size_t)len + 1);
		return buf;
	}
	if (len <= a.scale) {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)(a.scale - len));
		p += a.scale - len;
		memcpy(p, digits, (size_t)len + 1);
		return buf;
	}
	memcpy(p, digits, (size_t)(len - a.scale));
	p += len - a.scale;
	*p++ = '.';
	memcpy(p, digits + len - a.scale, (size_t)a.scale + 1);
	return buf;
}
