/*
 * Reference for the differential tests: runs glibc getopt_long() and prints what it returns.
 * usage: getopt-ref OPTSTRING LONGSPEC PROGRAM [ARG...]
 *   LONGSPEC: comma-separated "name/has_arg/val" (has_arg 0|1|2, val decimal), may be empty.
 * stdout, one line each: "option VAL LONGIND ARG" for every option returned, then either
 * "error" (glibc printed its message to stderr; we stop like util-linux does) or
 * "operand ARG" for every operand. ARG is "-" for no argument, else "=" and the bytes in hex.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_arg(const char *s) {
  if (s == NULL) {
    fputs(" -\n", stdout);
    return;
  }
  fputs(" =", stdout);
  for (; *s; s++) printf("%02x", (unsigned char)*s);
  fputc('\n', stdout);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  struct option longopts[64];
  int n = 0;
  char *spec = strdup(argv[2]);
  for (char *tok = strtok(spec, ","); tok != NULL && n < 63; tok = strtok(NULL, ",")) {
    char *a = strchr(tok, '/');
    if (a == NULL) return 2;
    *a++ = '\0';
    char *b = strchr(a, '/');
    if (b == NULL) return 2;
    *b++ = '\0';
    longopts[n++] = (struct option){tok, atoi(a), NULL, atoi(b)};
  }
  longopts[n] = (struct option){NULL, 0, NULL, 0};

  const char *optstring = argv[1];
  int gargc = argc - 3;
  char **gargv = argv + 3;
  for (;;) {
    int longind = -1;
    int c = getopt_long(gargc, gargv, optstring, longopts, &longind);
    if (c == -1) break;
    if (c == '?' || c == ':') {
      fputs("error\n", stdout);
      return 0;
    }
    printf("option %d %d", c, longind);
    print_arg(optarg);
  }
  for (int i = optind; i < gargc; i++) {
    fputs("operand", stdout);
    print_arg(gargv[i]);
  }
  return 0;
}
