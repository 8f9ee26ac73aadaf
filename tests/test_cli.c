/* test_cli: the unroll binary as scripts use it. Placeholder filled below. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *bin(void)
{
    const char *b = getenv("UNROLL_BIN");
    return b ? b : "./unroll";
}

START_TEST(help_and_unknown)
{
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "--help", NULL}, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert(strstr(out, "trace"));
    free(out);
    free(err);
    rc = tu_run((char *const[]){(char *)bin(), "frobnicate", NULL}, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("commands");
    tcase_add_test(tc, help_and_unknown);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
