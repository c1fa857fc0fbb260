"""SU, MED and AMU minutes: one delivered document becomes one meeting of name-free records."""
