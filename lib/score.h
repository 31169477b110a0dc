/*
 * score: the penalty formula.
 *   penalty = 2.0*critical + 1.0*high + 0.5*medium + 0.2*low
 *   score   = max(0, 10 - penalty), rounded to one decimal.
 */
#ifndef PPERF_SCORE_H
#define PPERF_SCORE_H

double score_category(unsigned critical, unsigned high, unsigned medium, unsigned low);
/* Rounds to one decimal (half away from zero). */
double score_round1(double x);

#endif
