"""Pure domain rules shared by every part of vanban. Never imports Django."""
