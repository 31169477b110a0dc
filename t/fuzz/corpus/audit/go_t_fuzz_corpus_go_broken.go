﻿package p
func f() { a := "unterminated
 b := `x
