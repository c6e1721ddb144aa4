"""The server-drawn charts: round grid steps, escaped text, an empty chart."""

from reports.charts import bar_chart, nice_ceiling


def test_the_grid_rounds_up_to_a_plain_number():
    assert [nice_ceiling(v) for v in (0.8, 1, 3, 7, 12, 2300)] == [
        1,
        1,
        5,
        10,
        20,
        2500,
    ]


def test_a_chart_has_a_bar_and_its_figure_for_each_value_and_escapes_text():
    svg = bar_chart([3, 0, 12], ["1", "<b>", "3"], "每日<配送>", "次")

    assert svg.count('class="bar"') == 3
    assert "<title>3：12 次</title>" in svg
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="每日&lt;配送&gt;"' in svg
    assert "沒有資料" not in svg


def test_a_chart_of_nothing_says_so_with_whole_ticks():
    svg = bar_chart([0, 0], ["1", "2"], "每日金額", "元")

    assert "沒有資料" in svg
    assert ">0.2<" not in svg and ">4<" in svg
