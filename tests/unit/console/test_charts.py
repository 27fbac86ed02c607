"""Server-rendered SVG bar charts: accessible, scalable, safe with any label."""

import xml.etree.ElementTree as ET

from console.charts import bar_chart, describe

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_chart_is_an_image_with_a_title_and_a_description():
    root = parse(bar_chart([("lun", 3), ("mar", 4.5), ("mer", 0)], "Conversazioni", "conv."))
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox") == "0 0 640 240"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Conversazioni"
    assert desc.text == (
        "3 valori. Massimo 4,5 conv. (mar), minimo 0 conv. (mer); totale 7,5 conv."
    )
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 3


def test_the_tallest_bar_fills_the_plot_and_the_others_are_proportional():
    root = parse(bar_chart([("a", 2), ("b", 4)], "t"))
    heights = [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")]
    assert heights[1] == 2 * heights[0] > 0


def test_labels_are_escaped():
    svg = bar_chart([("<script>&", 1)], 'Titolo "<b>"')
    root = parse(svg)
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == 'Titolo "<b>"'
    assert root.find(f"{SVG}g/{SVG}title").text == "<script>&: 1"


def test_many_bars_are_labelled_every_few_and_the_latest():
    points = [(f"{day:02d}/03", day) for day in range(1, 61)]
    labels = [t.text for t in parse(bar_chart(points, "t")).iter(f"{SVG}text") if "/" in t.text]
    assert len(labels) == 13 and labels[0] == "01/03" and labels[-1] == "60/03"


def test_no_data():
    root = parse(bar_chart([], "Vuoto"))
    assert root.find(f"{SVG}desc").text == describe([]) == "Nessun dato."
    assert root.findall(f"{SVG}g") == []


def test_two_charts_on_one_page_have_different_ids():
    assert parse(bar_chart([("a", 1)], "uno")).find(f"{SVG}title").get("id") != parse(
        bar_chart([("a", 1)], "due")
    ).find(f"{SVG}title").get("id")
