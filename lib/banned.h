/*
 * banned.h: functions pperf's library code must not call.
 *
 * strcpy/strcat/sprintf write without a bound, strtok keeps hidden global
 * state, gets cannot be used safely at all.  Use snprintf, memcpy with a
 * known length, or strtok_r/strcspn instead.  Include this last, after every
 * system header, and only from lib/ .c files (poisoning before a system
 * header that mentions these names would break the build).
 */
#ifndef PPERF_BANNED_H
#define PPERF_BANNED_H

#pragma GCC poison strcpy strcat sprintf vsprintf strtok gets

#endif
