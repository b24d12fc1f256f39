"""What a post is made of: front matter, body segments, footer."""
