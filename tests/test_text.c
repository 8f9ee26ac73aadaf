/* test_text: placeholder, filled below. */
#include "testutil.h"

int main(void)
{
    return 0;
}
