/*
 * Differential oracle for src/parse/numbers.ts: util-linux's own C, run against glibc.
 * parse_size(), size_to_human_string(), ul_strtos64(), ul_strtou64() and the *_or_err checks are
 * copied from util-linux lib/strutils.c (public domain: "No copyright is claimed"); strtokey() from
 * sys-utils/ipcrm.c. Usage: strutils-oracle MODE < lines, MODE one of s32 key mode size human.
 * Each input line is the argument hex-encoded (so blanks and empty strings survive); each output
 * line is "ok VALUE" or the errno name of the failure.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define SIZE_SUFFIX_1LETTER 0
#define SIZE_SUFFIX_3LETTER (1 << 0)
#define SIZE_SUFFIX_SPACE (1 << 1)
#define SIZE_DECIMAL_2DIGITS (1 << 2)

static void xstrncpy(char *dest, const char *src, size_t n)
{
	size_t len = src ? strlen(src) : 0;

	if (!len)
		return;
	len = len < n - 1 ? len : n - 1;
	memcpy(dest, src, len);
	dest[len] = '\0';
}

/* ---- lib/strutils.c ---- */

static int do_scale_by_power (uintmax_t *x, int base, int power)
{
	while (power--) {
		if (UINTMAX_MAX / base < *x)
			return -ERANGE;
		*x *= base;
	}
	return 0;
}

int parse_size(const char *str, uintmax_t *res, int *power)
{
	const char *p;
	char *end;
	uintmax_t x, frac = 0;
	int base = 1024, rc = 0, pwr = 0, frac_zeros = 0;

	static const char *suf  = "KMGTPEZY";
	static const char *suf2 = "kmgtpezy";
	const char *sp;

	*res = 0;

	if (!str || !*str) {
		rc = -EINVAL;
		goto err;
	}

	p = str;
	while (isspace((unsigned char) *p))
		p++;
	if (*p == '-') {
		rc = -EINVAL;
		goto err;
	}

	errno = 0, end = NULL;
	x = strtoumax(str, &end, 0);

	if (end == str ||
	    (errno != 0 && (x == UINTMAX_MAX || x == 0))) {
		rc = errno ? -errno : -EINVAL;
		goto err;
	}
	if (!end || !*end)
		goto done;			/* without suffix */
	p = end;

check_suffix:
	if (*(p + 1) == 'i' && (*(p + 2) == 'B' || *(p + 2) == 'b') && !*(p + 3))
		base = 1024;			/* XiB, 2^N */
	else if ((*(p + 1) == 'B' || *(p + 1) == 'b') && !*(p + 2))
		base = 1000;			/* XB, 10^N */
	else if (*(p + 1)) {
		struct lconv const *l = localeconv();
		const char *dp = l ? l->decimal_point : NULL;
		size_t dpsz = dp ? strlen(dp) : 0;

		if (frac == 0 && *p && dp && strncmp(dp, p, dpsz) == 0) {
			const char *fstr = p + dpsz;

			for (p = fstr; *p == '0'; p++)
				frac_zeros++;
			fstr = p;
			if (isdigit(*fstr)) {
				errno = 0, end = NULL;
				frac = strtoumax(fstr, &end, 0);
				if (end == fstr ||
				    (errno != 0 && (frac == UINTMAX_MAX || frac == 0))) {
					rc = errno ? -errno : -EINVAL;
					goto err;
				}
			} else
				end = (char *) p;

			if (frac && (!end  || !*end)) {
				rc = -EINVAL;
				goto err;		/* without suffix, but with frac */
			}
			p = end;
			goto check_suffix;
		}
		rc = -EINVAL;
		goto err;			/* unexpected suffix */
	}

	sp = strchr(suf, *p);
	if (sp)
		pwr = (sp - suf) + 1;
	else {
		sp = strchr(suf2, *p);
		if (sp)
			pwr = (sp - suf2) + 1;
		else {
			rc = -EINVAL;
			goto err;
		}
	}

	rc = do_scale_by_power(&x, base, pwr);
	if (power)
		*power = pwr;
	if (frac && pwr) {
		int i;
		uintmax_t frac_div = 10, frac_poz = 1, frac_base = 1;

		do_scale_by_power(&frac_base, base, pwr);

		while (frac_div < frac) {
			if (frac_div <= UINTMAX_MAX/10)
				frac_div *= 10;
			else
				frac /= 10;
		}

		for (i = 0; i < frac_zeros; i++) {
			if (frac_div <= UINTMAX_MAX/10)
				frac_div *= 10;
			else
				frac /= 10;
		}

		do {
			unsigned int seg = frac % 10;		 /* last digit of the frac */
			uintmax_t seg_div = frac_div / frac_poz; /* what represents the segment 1000, 100, .. */

			frac /= 10;	/* remove last digit from frac */
			frac_poz *= 10;

			if (seg && seg_div / seg)
				x += frac_base / (seg_div / seg);
		} while (frac);
	}
done:
	*res = x;
err:
	if (rc < 0)
		errno = -rc;
	return rc;
}

int ul_strtos64(const char *str, int64_t *num, int base)
{
	char *end = NULL;

	if (str == NULL || *str == '\0')
		return -(errno = EINVAL);

	errno = 0;
	*num = (int64_t) strtoimax(str, &end, base);

	if (errno != 0)
		return -errno;
	if (str == end || (end && *end))
		return -(errno = EINVAL);
	return 0;
}

int ul_strtou64(const char *str, uint64_t *num, int base)
{
	char *end = NULL;
	int64_t tmp;

	if (str == NULL || *str == '\0')
		return -(errno = EINVAL);

	errno = 0;
	tmp = (int64_t) strtoimax(str, &end, base);
	if (tmp < 0)
		errno = ERANGE;
	else {
		errno = 0;
		*num = strtoumax(str, &end, base);
	}

	if (errno != 0)
		return -errno;
	if (str == end || (end && *end))
		return -(errno = EINVAL);
	return 0;
}

static int get_exp(uint64_t n)
{
	int shft;

	for (shft = 10; shft <= 60; shft += 10) {
		if (n < (1ULL << shft))
			break;
	}
	return shft - 10;
}

char *size_to_human_string(int options, uint64_t bytes)
{
	char buf[32];
	int dec, exp;
	uint64_t frac;
	const char *letters = "BKMGTPE";
	char suffix[sizeof(" KiB")], *psuf = suffix;
	char c;

	if (options & SIZE_SUFFIX_SPACE)
		*psuf++ = ' ';


	exp  = get_exp(bytes);
	c    = *(letters + (exp ? exp / 10 : 0));
	dec  = exp ? bytes / (1ULL << exp) : bytes;
	frac = exp ? bytes % (1ULL << exp) : 0;

	*psuf++ = c;

	if ((options & SIZE_SUFFIX_3LETTER) && (c != 'B')) {
		*psuf++ = 'i';
		*psuf++ = 'B';
	}

	*psuf = '\0';

	if (frac) {
		if (frac >= UINT64_MAX / 1000)
			frac = ((frac / 1024) * 1000) / (1ULL << (exp - 10)) ;
		else
			frac = (frac * 1000) / (1ULL << (exp)) ;

		if (options & SIZE_DECIMAL_2DIGITS) {
			frac = (frac + 5) / 10 ;
		} else {
			frac = ((frac + 50) / 100) * 10 ;
		}

		if (frac == 100) {
			dec++;
			frac = 0;
		}
	}

	if (frac) {
		struct lconv const *l = localeconv();
		char *dp = l ? l->decimal_point : NULL;
		int len;

		if (!dp || !*dp)
			dp = ".";

		len = snprintf(buf, sizeof(buf), "%d%s%02" PRIu64, dec, dp, frac);
		if (len > 0 && (size_t) len < sizeof(buf)) {
			if (buf[len - 1] == '0')
				buf[len--] = '\0';
			xstrncpy(buf+len, suffix, sizeof(buf) - len);
		} else
			*buf = '\0';
	} else
		snprintf(buf, sizeof(buf), "%d%s", dec, suffix);

	return strdup(buf);
}

/* ---- sys-utils/ipcrm.c (without the err() exit) ---- */

static int strtokey(const char *str, unsigned long *num)
{
	char *end = NULL;

	if (str == NULL || *str == '\0')
		return -(errno = EINVAL);
	errno = 0;
	*num = strtoul(str, &end, 0);
	if (errno || str == end || (end && *end))
		return errno ? -errno : -(errno = EINVAL);
	return 0;
}

/*
 * Ours on top of strtokey(): the value must be a key_t read as signed or unsigned, so that nothing
 * wraps into another key. strtoul has already negated a "-": read the magnitude again to judge.
 */
static int fits_key_t(const char *str, unsigned long num)
{
	while (isspace((unsigned char) *str))
		str++;
	if (*str == '-')
		return strtoul(str + 1, NULL, 0) <= 0x80000000UL;
	return num <= 0xffffffffUL;
}

/* ---- driver ---- */

static const char *errno_name(int e)
{
	return e == ERANGE ? "ERANGE" : e == EINVAL ? "EINVAL" : "EOTHER";
}

static size_t unhex(const char *hex, char *out)
{
	size_t n = 0;

	for (; isxdigit((unsigned char) hex[0]) && isxdigit((unsigned char) hex[1]); hex += 2) {
		unsigned int byte;
		sscanf(hex, "%2x", &byte);
		out[n++] = (char) byte;
	}
	return n;
}

int main(int argc, char **argv)
{
	static char line[8192], arg[4096];
	const char *mode = argc > 1 ? argv[1] : "";

	while (fgets(line, sizeof(line), stdin)) {
		size_t n = unhex(line, arg);

		/* What follows an argv string in memory: its NUL, then the next string (here "X=1"). */
		memcpy(arg + n, "\0X=1\0", 6);

		if (strcmp(mode, "s32") == 0) {
			int64_t num = 0;
			int rc = ul_strtos64(arg, &num, 10);
			if (rc == 0 && (num < INT32_MIN || num > INT32_MAX))
				rc = -(errno = ERANGE);
			if (rc)
				printf("%s\n", errno_name(errno));
			else
				printf("ok %" PRId64 "\n", num);
		} else if (strcmp(mode, "key") == 0) {
			unsigned long num = 0;
			if (strtokey(arg, &num))
				printf("%s\n", errno_name(errno));
			else if (!fits_key_t(arg, num))
				printf("ERANGE\n");
			else
				printf("ok %d\n", (int) (key_t) num);
		} else if (strcmp(mode, "mode") == 0) {
			uint64_t num = 0;
			int rc = ul_strtou64(arg, &num, 8);
			if (rc == 0 && num > 07777)
				rc = -(errno = ERANGE);
			if (rc)
				printf("%s\n", errno_name(errno));
			else
				printf("ok %" PRIu64 "\n", num);
		} else if (strcmp(mode, "size") == 0) {
			uintmax_t num = 0;
			if (parse_size(arg, &num, NULL))
				printf("%s\n", errno_name(errno));
			else
				printf("ok %ju\n", num);
		} else if (strcmp(mode, "human") == 0) {
			char *s = size_to_human_string(SIZE_SUFFIX_1LETTER, strtoull(arg, NULL, 10));
			printf("ok %s\n", s);
			free(s);
		} else {
			fprintf(stderr, "unknown mode %s\n", mode);
			return 2;
		}
	}
	return 0;
}
