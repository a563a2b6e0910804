/* text.c - see text.h for the contract. */
#include "text.h"

#include <string.h>

/* Levenshtein distance, capped: stops counting past cap. */
static size_t cm_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], v;
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

			v = diag + cost;
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *cm_suggest(const char *s, const char *const *words)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, cap = strlen(s) <= 4 ? 1 : 2;

	for (; *words; words++) {
		size_t d = cm_distance(s, *words, cap);

		if (d <= cap && d < bestd) {
			best = *words;
			bestd = d;
		}
	}
	return best;
}

char *cm_join(char *out, size_t n, const char *const *words)
{
	size_t len = 0;

	if (n == 0)
		return out;
	out[0] = '\0';
	for (; *words; words++) {
		size_t w = strlen(*words) + (len ? 2 : 0);

		if (len + w + 4 >= n) {
			if (len + 4 < n)
				memcpy(out + len, "...", 4);
			return out;
		}
		if (len) {
			memcpy(out + len, ", ", 2);
			len += 2;
			w -= 2;
		}
		memcpy(out + len, *words, w);
		len += w;
		out[len] = '\0';
	}
	return out;
}
