"""Robustness suite: bad input, odd input, properties, fuzzing, CommonMark round trip."""
