"""Cursor pagination on the primary key: each page is one indexed range scan (``id > cursor``),
as fast on page 2,000 as on page 1, with no COUNT of the whole table, and stable while rows are
added (a new row never shifts the pages already read)."""

from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
