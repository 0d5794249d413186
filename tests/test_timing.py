"""relu_lib.timing, on a fake clock: what is measured, how rounds interleave, and the table."""

from __future__ import annotations

import pytest

from relu_lib import hardware, timing


class Clock:
    """A clock that advances only when a timed function runs, by that function's cost."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: list[str] = []

    def __call__(self) -> float:
        return self.now

    def function(self, name: str, costs: list[float] | float):
        sequence = costs if isinstance(costs, list) else None

        def run() -> None:
            self.calls.append(name)
            self.now += sequence.pop(0) if sequence else costs if sequence is None else 0.0

        return run


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timing.time, "perf_counter", fake)
    return fake


def test_loops_for_grows_in_1_2_5_steps_until_a_round_is_long_enough(clock: Clock) -> None:
    assert timing.loops_for(clock.function("f", 0.001), min_time=0.02) == 20
    assert timing.loops_for(clock.function("g", 1.0), min_time=0.02) == 1


def test_best_time_is_the_best_round_per_call(clock: Clock) -> None:
    # a warm-up call, the calibration (one call is already long enough), then three rounds of one call
    fn = clock.function("f", [9.0, 0.5, 0.7, 0.4, 0.6])
    assert timing.best_time(fn, repeat=3, min_time=0.1) == pytest.approx(0.4)


def test_compare_interleaves_rounds_and_relates_to_the_reference(clock: Clock) -> None:
    # Binary fractions keep the fake clock's sums exact.
    slow, fast = clock.function("slow", 0.25), clock.function("fast", 0.0625)
    table = timing.compare({"slow": slow, "fast": fast}, reference="slow", repeat=3, min_time=0.125)
    assert table.names == ("slow", "fast")
    assert table.time("slow") == 0.25 and table.time("fast") == 0.0625
    assert table.speedup("fast") == pytest.approx(4.0) and table.relative("fast") == pytest.approx(0.25)
    assert table.fastest() == "fast"
    rounds = clock.calls[-(3 * (1 + 2)) :]  # after calibration: slow once, fast twice, per round
    assert rounds == ["slow", "fast", "fast"] * 3
    assert table.machine == hardware.describe()  # the machine, as it was set up for the timing


def test_table_prints_and_renders_every_candidate() -> None:
    table = timing.SpeedTable(("loop", "numpy"), (2e-3, 4e-6), "loop")
    text = str(table)
    assert "loop" in text and "numpy" in text and "500x" in text and "2 ms" in text and "4 µs" in text
    html = table._repr_html_()
    assert html.count("<tr>") == 3 and "500×" in html
    assert table.rows() == [("loop", pytest.approx(2000.0), 1.0), ("numpy", pytest.approx(4.0), pytest.approx(500.0))]
    with pytest.raises(KeyError, match="no candidate named 'torch'"):
        table.time("torch")
    assert table.machine is None and "measured on" not in text and "<caption>" not in html


def test_table_names_the_machine_it_was_measured_on() -> None:
    machine = hardware.Machine("Some <CPU>", "x86_64", 2, ("X86_V2",), ("X86_V3",), threads=(("torch", 1),))
    table = timing.SpeedTable(("loop", "numpy"), (2e-3, 4e-6), "loop", machine)
    assert str(table).splitlines()[-1] == f"measured on: {machine}"
    html = table._repr_html_()
    assert html.startswith('<table class="speed-table"><caption>Measured on Some &lt;CPU&gt;, x86_64, 2 cores;')
    assert "numpy SIMD X86_V3" in html and html.count("<caption>") == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: timing.compare({}, reference="a"), ValueError, "non-empty"),
        (lambda: timing.compare({"a": len}, reference="b"), ValueError, "reference"),
        (lambda: timing.compare({"a": 3}, reference="a"), TypeError, "function of no arguments"),
        (lambda: timing.compare({"a": lambda: None}, reference="a", repeat=0), ValueError, "repeat"),
        (lambda: timing.best_time(lambda: None, min_time=-1), ValueError, "min_time"),
        (lambda: timing.best_time(lambda: None, repeat=2.5), ValueError, "repeat"),
        (lambda: timing.loops_for("f"), TypeError, "fn"),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()
