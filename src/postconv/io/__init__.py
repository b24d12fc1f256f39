"""Reading and writing: decoding bytes, atomic files, configuration."""
