"""Result ids for a list that builds its rows lazily: `search_ids` and `hits`."""

from __future__ import annotations

import pytest

from archive_app.core import archive as archive_module
from archive_app.core.models import ResultIds, SearchRequest

QUERIES = (
    "",
    "children",
    "war",
    "deport*",
    "children AND NOT war",
    "NOT children",
    '"war crimes"',
    "title:children OR tribunal",
    "published:[2020-01-01 TO 2023-12-31]",
    "title:[a TO m] children",  # term ranges are scored by Whoosh itself
)
SORTS = ("relevance", "newest", "oldest")


def _all_hits(archive, request: SearchRequest) -> list[str]:
    page = archive.search(
        SearchRequest(**{**request.__dict__, "limit": 10_000, "offset": 0, "snippets": False})
    )
    return [h.id for h in page.hits]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", QUERIES)
def test_search_ids_follow_the_order_of_search(sample_archive, query: str, sort: str):
    request = SearchRequest(query=query, sort=sort)
    result = sample_archive.search_ids(request)
    page = sample_archive.search(SearchRequest(query=query, sort=sort, limit=10_000))
    assert isinstance(result, ResultIds)
    assert result.request == request
    assert list(result.ids) == _all_hits(sample_archive, request)
    assert result.total == page.total == len(result.ids)
    assert result.facets == page.facets
    assert result.suggestion == page.suggestion


@pytest.mark.parametrize("sort", SORTS)
def test_search_ids_apply_filters_and_ignore_paging(sample_archive, sort: str):
    request = SearchRequest(
        query="children", tags=("Region",), sort=sort, limit=2, offset=3, snippets=False
    )
    result = sample_archive.search_ids(request)
    assert list(result.ids) == _all_hits(sample_archive, request)
    assert 2 < len(result.ids) == result.total
    assert all(
        "region" in {t.split("/")[0] for t in h.tags} for h in sample_archive.hits(result.ids)
    )


def test_search_ids_pages_match_search_pages(sample_archive):
    ids = sample_archive.search_ids(SearchRequest(query="children OR war")).ids
    for offset in range(0, len(ids), 4):
        page = sample_archive.search(SearchRequest(query="children OR war", limit=4, offset=offset))
        assert [h.id for h in page.hits] == list(ids[offset : offset + 4])


def test_search_ids_of_nothing(sample_archive):
    result = sample_archive.search_ids(SearchRequest(query="zzzqqqxx"))
    assert result.ids == () and result.total == 0


def test_search_ids_see_changes(sample_archive):
    before = sample_archive.search_ids(SearchRequest(tags=("fresh-tag",)))
    article_id = sample_archive.search_ids(SearchRequest()).ids[0]
    sample_archive.tag(article_id, ["fresh-tag"])
    after = sample_archive.search_ids(SearchRequest(tags=("fresh-tag",)))
    assert before.ids == () and after.ids == (article_id,)


def test_hits_keep_the_given_order(sample_archive):
    ids = list(sample_archive.search_ids(SearchRequest(sort="oldest")).ids)
    wanted = list(reversed(ids[:7]))
    assert [h.id for h in sample_archive.hits(wanted)] == wanted


def test_hits_drop_ids_no_longer_in_the_archive(sample_archive):
    ids = list(sample_archive.search_ids(SearchRequest(sort="newest")).ids[:5])
    sample_archive.delete(ids[2])
    rows = sample_archive.hits([*ids, "0123456789ab"])
    assert [h.id for h in rows] == ids[:2] + ids[3:]


def test_hits_carry_the_row_fields(sample_archive):
    ids = sample_archive.search_ids(SearchRequest()).ids
    for hit in sample_archive.hits(ids):
        article = sample_archive.get(hit.id)
        assert hit.title == article.title
        assert hit.author == article.author
        assert hit.source == article.source
        assert hit.published == article.published
        assert hit.tags == article.tags
        assert hit.topics == tuple(t.topic for t in article.topics)
        stored = [i.sha256 for i in sorted(article.images, key=lambda i: i.position) if i.sha256]
        assert hit.lead_image == (stored[0] if stored else None)
        assert hit.score == 0.0


def test_hits_lead_image_is_the_first_stored_image(archive, tmp_path, make_image):
    folder = tmp_path / "in"
    make_image(folder / "a.png", seed=1)
    make_image(folder / "b.png", seed=2)
    (folder / "pictures.md").write_text(
        "---\ntitle: Pictures\n---\n\n![missing](gone.png)\n\n![first](a.png)\n\n![second](b.png)"
        "\n\nHarbour pictures from the coast.\n",
        encoding="utf-8",
    )
    (folder / "plain.md").write_text("---\ntitle: Plain\n---\n\nNo pictures here.\n", "utf-8")
    archive.import_paths([folder])
    by_title = {h.title: h for h in archive.hits(archive.search_ids(SearchRequest()).ids)}
    images = archive.get(by_title["Pictures"].id).images
    assert images[0].sha256 is None  # a reference only: no thumbnail from it
    assert by_title["Pictures"].lead_image == images[1].sha256
    assert by_title["Plain"].lead_image is None
    page = archive.search(SearchRequest(query="harbour"))
    assert page.hits[0].lead_image == images[1].sha256


def test_search_hits_carry_author_and_lead_image(sample_archive):
    page = sample_archive.search(SearchRequest(query="children", limit=50))
    rows = {h.id: h for h in sample_archive.hits([h.id for h in page.hits])}
    assert any(h.author for h in page.hits) and any(h.lead_image for h in page.hits)
    for hit in page.hits:
        assert (hit.author, hit.lead_image) == (rows[hit.id].author, rows[hit.id].lead_image)


def test_hits_mark_the_query_words(sample_archive):
    ids = sample_archive.search_ids(SearchRequest(query="deported")).ids
    rows = sample_archive.hits(ids, "deported")
    assert rows and all('<mark class="match">' in h.snippet for h in rows)
    assert all("deport" in h.snippet.lower() for h in rows)


def test_hits_snippets_agree_with_search(sample_archive):
    page = sample_archive.search(SearchRequest(query="children tribunal", limit=50))
    rows = {h.id: h for h in sample_archive.hits([h.id for h in page.hits], "children tribunal")}
    assert {h.id: h.snippet for h in page.hits} == {i: h.snippet for i, h in rows.items()}


@pytest.mark.parametrize("query", ["", "   ", 'title:"unclosed', "published:notadate", "(("])
def test_hits_without_a_usable_query_have_plain_snippets(sample_archive, query: str):
    ids = sample_archive.search_ids(SearchRequest()).ids[:5]
    rows = sample_archive.hits(ids, query)
    assert len(rows) == 5
    assert all(h.snippet and "<mark" not in h.snippet for h in rows)


def test_hits_without_snippets(sample_archive):
    ids = sample_archive.search_ids(SearchRequest()).ids[:5]
    assert [h.snippet for h in sample_archive.hits(ids, "children", snippets=False)] == [""] * 5


def test_hits_read_in_batches(sample_archive, monkeypatch):
    ids = list(sample_archive.search_ids(SearchRequest(sort="oldest")).ids)
    whole = sample_archive.hits(ids, "children")
    monkeypatch.setattr(archive_module, "ROW_BATCH", 3)
    assert sample_archive.hits(ids, "children") == whole
    assert sample_archive.hits([]) == ()


def test_hits_query_the_catalog_per_batch_not_per_id(sample_archive, monkeypatch):
    ids = sample_archive.search_ids(SearchRequest()).ids
    calls = []
    original = sample_archive.catalog.query

    def counting(sql, params=()):
        calls.append(sql)
        return original(sql, params)

    monkeypatch.setattr(sample_archive.catalog, "query", counting)
    sample_archive.hits(ids, "children")
    assert len(ids) > 10 and len(calls) <= 6
