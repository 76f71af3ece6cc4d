"""PageInfo, shared by every connection."""

import strawberry

from invoicegraph.resolvers.pagination import PageInfoData


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_data(cls, data: PageInfoData) -> "PageInfo":
        return cls(
            has_next_page=data.has_next_page,
            has_previous_page=data.has_previous_page,
            start_cursor=data.start_cursor,
            end_cursor=data.end_cursor,
        )
