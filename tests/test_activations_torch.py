"""The activations' values against ``torch.nn.functional``, in float16, float32 and float64."""

import math

import numpy as np
import pytest
from conftest import (
    CASE_IDS,
    CASES,
    FLOATS,
    INPUT_ZERO_IDS,
    SIGNED_ZERO_CASES,
    Case,
    assert_close,
    keep_input_zeros,
    oracle,
    require,
    special_values,
    torch_same_dtype,
    torch_values,
)

import relu_lib as rl

torch = require("torch")
F = torch.nn.functional


def grid(dtype) -> np.ndarray:
    """A dense sweep of [-30, 30] (tails, kinks, thresholds) plus the special values of ``dtype``."""
    dense = np.linspace(-30.0, 30.0, 2401)
    return np.concatenate([dense.astype(dtype), special_values(dtype)])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_match_torch_in_the_same_dtype(case: Case, dtype):
    x = grid(dtype)
    reference, _ = torch_same_dtype(torch, case, x)
    assert_close(case(x), reference, dtype)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_match_torch_in_float64_rounded(case: Case, dtype):
    # Torch in float64 is exact to float32/float16 resolution even where torch in
    # float32 cancels (gelu's lower tail): relu_lib must match it there too.
    x = grid(dtype)
    expected, _ = oracle(torch, case, x)
    assert_close(case(x), expected, dtype)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_match_torch_on_a_multidimensional_array(case: Case):
    x = np.random.default_rng(7).normal(scale=4.0, size=(3, 4, 5))
    reference, _ = torch_values(torch, case, x, np.float64)
    result = case(x)
    assert result.shape == (3, 4, 5)
    assert_close(result, reference, np.float64)


def test_gelu_lower_tail_is_more_accurate_than_torch_float32():
    # Torch computes 0.5 x (1 + erf(x / sqrt 2)): in float32 1 + erf(-6 / sqrt 2) is 0.
    # relu_lib uses ndtr, exact there: x Phi(x) = x erfc(-x / sqrt 2) / 2.
    x = np.array([-6.0, -7.0, -9.0], dtype=np.float32)
    torch_f32 = F.gelu(torch.from_numpy(x)).numpy()
    exact = np.array([v * math.erfc(-v / math.sqrt(2)) / 2 for v in x.astype(float)])
    assert np.all(torch_f32 == 0.0)
    assert np.all(exact.astype(np.float32) < 0)
    np.testing.assert_allclose(rl.gelu(x), exact, rtol=1e-5)


def test_gelu_at_the_infinities_is_the_limit_where_torch_gives_nan():
    for dtype in FLOATS:
        x = np.array([-np.inf, np.inf], dtype=dtype)
        ours = rl.gelu(x)
        assert ours[1] == np.inf
        assert ours[0] == 0 and np.signbit(ours[0]), "gelu(-inf) is -0.0 = lim x * Phi(x)"
        theirs = F.gelu(torch.from_numpy(x)).numpy()
        assert np.isnan(theirs[0]), "torch computes -inf * 0 for gelu(-inf)"
        ours_tanh = rl.gelu(x, approximate="tanh")
        assert ours_tanh[1] == np.inf and ours_tanh[0] == 0 and np.signbit(ours_tanh[0])
        assert np.isnan(F.gelu(torch.from_numpy(x), approximate="tanh").numpy()[0])


def test_silu_at_minus_infinity_is_negative_zero_where_torch_gives_nan():
    for dtype in FLOATS:
        x = np.array([-np.inf, np.inf], dtype=dtype)
        ours = rl.silu(x)
        assert ours[0] == 0 and np.signbit(ours[0])
        assert ours[1] == np.inf
        assert np.isnan(F.silu(torch.from_numpy(x)).numpy()[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_with_a_large_threshold_does_not_overflow_where_torch_does(dtype):
    # Above log(max) torch's log1p(exp(beta x)) overflows to inf; relu_lib uses logaddexp.
    x = np.array([100.0, 800.0], dtype=dtype)
    ours = rl.softplus(x, threshold=1e4)
    np.testing.assert_array_equal(ours, x)
    theirs = F.softplus(torch.from_numpy(x), threshold=1e4).numpy()
    assert np.isinf(theirs[-1])


# Signed zeros: relu(-0.0) is -0.0 in PyTorch, and so here.


@pytest.mark.parametrize("case", SIGNED_ZERO_CASES, ids=[c.id for c in SIGNED_ZERO_CASES])
class TestSignedZeros:
    @staticmethod
    def torch_signbit(case: Case, x: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(x)
        value, _ = torch_values(torch, case, flat, x.dtype)
        return np.signbit(keep_input_zeros(flat, value) if case.id in INPUT_ZERO_IDS else value)

    def test_scalars(self, case: Case, dtype):
        for x in (dtype(-0.0), np.array(-0.0, dtype=dtype)):
            result = case(x)
            assert result == 0 and np.signbit(result), f"{case.id}({x!r}) = {result!r}"
            assert np.asarray(result).dtype == dtype
            assert self.torch_signbit(case, np.atleast_1d(x)).all()
        result = case(-0.0)
        assert isinstance(result, np.float64) and np.signbit(result)
        assert not np.signbit(case(0.0))

    def test_long_arrays_strided_views_and_out(self, case: Case, dtype):
        # 1001 elements cross every SIMD body and scalar tail; the views are non-contiguous.
        rng = np.random.default_rng(3)
        x = rng.choice(np.array([-0.0, 0.0, -1.5, 2.0, -0.0, -0.0], dtype=dtype), size=1001)
        expected = self.torch_signbit(case, x)
        assert expected.sum() > 100, "the input must hold many -0.0"
        np.testing.assert_array_equal(np.signbit(case(x)), expected)
        for view in (x[::3], x[::-1], x[5:-7:2]):
            np.testing.assert_array_equal(np.signbit(case(view)), self.torch_signbit(case, view))
        fortran = np.asfortranarray(x[:1000].reshape(40, 25))
        np.testing.assert_array_equal(
            np.signbit(case(fortran)), self.torch_signbit(case, fortran.ravel()).reshape(40, 25)
        )
        out = np.full(x.size, np.nan, dtype=dtype)
        assert case(x, out=out) is out
        np.testing.assert_array_equal(np.signbit(out), expected)
        strided_out = np.full(3 * x.size, np.nan, dtype=dtype)[::3]
        assert case(x, out=strided_out) is strided_out
        np.testing.assert_array_equal(np.signbit(strided_out), expected)
        in_place = x.copy()
        assert case(in_place, out=in_place) is in_place
        np.testing.assert_array_equal(np.signbit(in_place), expected)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_sign_of_zero_results_matches_torch(case: Case, dtype):
    x = np.array([-0.0, 0.0], dtype=dtype)
    value, _ = torch_values(torch, case, x, dtype)
    if case.id in INPUT_ZERO_IDS:
        value = keep_input_zeros(x, value)
    ours = case(x)
    zero = value == 0
    np.testing.assert_array_equal(ours == 0, zero)
    np.testing.assert_array_equal(np.signbit(ours[zero]), np.signbit(value[zero]))


# PReLU with one slope per channel.


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 4, 5)])
def test_prelu_per_channel_matches_torch(shape, dtype):
    rng = np.random.default_rng(11)
    x = rng.normal(size=shape).astype(dtype)
    x.flat[::5] = -0.0
    weight = np.array([0.1, -0.5, 2.0], dtype=dtype)
    tx = torch.from_numpy(x)
    expected = F.prelu(tx, torch.from_numpy(weight)).numpy()
    ours = rl.prelu(x, weight)
    assert_close(ours, expected, dtype)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(expected))
    shared = F.prelu(tx, torch.tensor([0.3], dtype=tx.dtype))
    assert_close(rl.prelu(x, 0.3), shared.numpy(), dtype)
    assert_close(rl.prelu(x, [0.3]), shared.numpy(), dtype)


def test_prelu_on_1d_input_is_one_channel_as_in_torch():
    # A 1-D input is one channel: one slope works, one per element is refused by both.
    x = np.array([-1.0, 2.0, -3.0])
    weight = np.array([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="one channel"):
        rl.prelu(x, weight)
    with pytest.raises(RuntimeError, match="channel size = 1"):
        F.prelu(torch.from_numpy(x), torch.from_numpy(weight))
    np.testing.assert_array_equal(
        rl.prelu(x, [0.25]), F.prelu(torch.from_numpy(x), torch.tensor([0.25], dtype=torch.float64)).numpy()
    )


# Maxout against torch's view-and-amax.


def torch_maxout(x: np.ndarray, pieces: int, axis: int) -> np.ndarray:
    t = torch.from_numpy(np.moveaxis(x, axis, -1).copy())
    grouped = t.reshape(*t.shape[:-1], t.shape[-1] // pieces, pieces).amax(-1)
    return np.moveaxis(grouped.numpy(), -1, axis)


@pytest.mark.parametrize(
    ("shape", "pieces", "axis"),
    [((12,), 3, -1), ((5, 8), 2, -1), ((5, 8), 4, 1), ((6, 4), 3, 0), ((2, 6, 3), 2, 1), ((2, 3, 4), 1, -1)],
)
def test_maxout_matches_torch_view_and_amax(shape, pieces, axis, dtype):
    rng = np.random.default_rng(5)
    x = rng.normal(scale=10.0, size=shape).astype(dtype)
    x.flat[::7] = np.inf
    x.flat[3::11] = -np.inf
    x.flat[1] = np.nan
    expected = torch_maxout(x, pieces, axis)
    result = rl.maxout(x, pieces, axis=axis)
    assert result.dtype == dtype and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)
    assert np.isnan(result).sum() >= 1, "NaN in a group makes the group's maximum NaN"


def test_maxout_with_the_pair_z_0_is_relu():
    z = np.linspace(-3.0, 3.0, 13)
    pairs = np.stack([z, np.zeros_like(z)], axis=-1).reshape(-1)
    np.testing.assert_array_equal(rl.maxout(pairs, 2), F.relu(torch.from_numpy(z)).numpy())
    leaky = np.stack([z, 0.2 * z], axis=-1).reshape(-1)
    np.testing.assert_allclose(rl.maxout(leaky, 2), F.leaky_relu(torch.from_numpy(z), 0.2).numpy(), rtol=1e-15)


def test_selu_constants_are_torchs():
    x = torch.tensor([-math.inf, 1.0], dtype=torch.float64)
    saturation, slope = F.selu(x).numpy()
    assert rl.SELU_SCALE == pytest.approx(slope, rel=1e-15)
    assert rl.SELU_SCALE * rl.SELU_ALPHA == pytest.approx(-saturation, rel=1e-15)
