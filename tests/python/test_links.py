"""Links and provenance from Python: the schema's keywords make hexagons links and name the dataset; bad templates are
input errors naming the option; run_batch from a file names its input by the digest the manifest records."""
import json
import re

import pytest

import eyemap


def test_column_link_and_dataset_keywords(sample_ds):
    r = eyemap.Renderer(column_link="https://neuprint.janelia.org/?roi={roi}&type={type}", dataset_label="optic <lobe>",
                        dataset_version="v1.1", input_digest="0123456789abcdef")
    svg = r.eyemap(sample_ds, "Tm3", "ME", "R", "cells").svg
    hexagons = svg.count("<title>Column: ")
    assert hexagons > 0
    assert len(re.findall(r'<a href="https://neuprint\.janelia\.org/\?roi=ME_R_col_\d{2,}_\d{2,}&amp;type=Tm3" target="_top"', svg)) == hexagons
    assert 'data-dataset="optic &lt;lobe&gt;" data-version="v1.1" data-input="0123456789abcdef"' in svg
    info = r.options
    assert info["column_link"] == "https://neuprint.janelia.org/?roi={roi}&type={type}" and info["dataset_version"] == "v1.1"
    pdf = r.eyemap(sample_ds, "Tm3", "ME", "R", "cells", formats=["pdf"]).pdf()
    assert pdf.count(b"/Subtype /Link") == hexagons
    plain = eyemap.Renderer().eyemap(sample_ds, "Tm3", "ME", "R", "cells").svg
    assert "<a " not in plain and "<metadata" not in plain
    assert eyemap.Renderer(type_link="https://h/{type}").settings_hash() != eyemap.Renderer().settings_hash()


@pytest.mark.parametrize("field,value,says", [
    ("column_link", "javascript:alert({type})", "only http and https"),
    ("column_link", "data:text/html,x", "only http and https"),
    ("column_link", "/relative/{roi}", "relative"),
    ("column_link", "https://h/{hex1:2}", "bad padding spec '2'"),
    ("column_link", "https://h/{typo}", "unknown placeholder {typo}"),
    ("column_link", "https://h/{roi", "unbalanced braces"),
    ("type_link", "https://h/{roi}", "a type's link has no placeholder {roi}"),
    ("dataset_label", "two\nlines", "one line"),
])
def test_bad_values_are_input_errors_naming_the_option(field, value, says):
    with pytest.raises(eyemap.InputError, match=re.escape(says)) as e:
        eyemap.Renderer(**{field: value})
    assert e.value.field == field
    assert e.value.value == value


def test_run_batch_from_a_file_names_its_input_by_the_manifest_digest(sample, tmp_path):
    res = eyemap.run_batch(sample / "data.csv", layout=sample / "columns.csv", out_dir=tmp_path, run="py", pages=True, progress=False,
                           dataset_label="sample", type_link="https://neuprint.janelia.org/results?type={type}")
    m = json.loads(open(res["manifest"]).read())
    digest = m["input"]["data_digest"]
    assert m["links"] == {"type_link": "https://neuprint.janelia.org/results?type={type}", "dataset_label": "sample",
                          "input_digest": digest}
    footer = f'<footer class="meta" id="em-provenance">Dataset: sample, input {digest}</footer>'
    assert footer in (tmp_path / "py" / "index.html").read_text()
    pages = list((tmp_path / "py" / "pages").iterdir())
    assert pages and all(footer in p.read_text() and 'id="em-type-link"' in p.read_text() for p in pages)
