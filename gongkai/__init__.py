"""gongkai (公开): township annual reports on government information disclosure, read,
checked, ranked and reported."""

__version__ = "0.1.0"
