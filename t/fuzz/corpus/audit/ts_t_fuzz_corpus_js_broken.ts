a
b
﻿`unterminated ${
/* open
"str
