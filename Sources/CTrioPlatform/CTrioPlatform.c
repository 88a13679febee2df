// Intentionally empty: see include/CTrioPlatform.h.
#include "CTrioPlatform.h"
