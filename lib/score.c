/*
 * score: the penalty formula, computed in tenths so that one decimal is
 * exact (no 7.2999... from 10 - 2.7).
 */
#include "score.h"
#include "banned.h"

double score_category(unsigned critical, unsigned high, unsigned medium, unsigned low)
{
	/* penalty in tenths: 2.0, 1.0, 0.5 and 0.2 points */
	unsigned long long p = 20ULL * critical + 10ULL * high + 5ULL * medium + 2ULL * low;

	if (p >= 100)
		return 0.0;
	return (double)(100 - p) / 10.0;
}

double score_round1(double x)
{
	double ax = x < 0 ? -x : x, y, r;

	if (x != x)
		return x; /* NaN stays NaN */
	y = ax * 10.0;
	if (!(y < 4503599627370496.0)) /* 2^52: already integral in tenths */
		return x;
	/* the epsilon treats 0.15 (stored as 0.1499...) as the half it means */
	r = (double)(unsigned long long)(y + 0.5 + 1e-9) / 10.0;
	return x < 0 ? -r : r;
}
