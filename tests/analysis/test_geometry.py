"""The batched geometry helpers behind the grid and service figures."""
import numpy as np
import shapely

from analysis.geometry import threaded, tiles_without_overlap, union_area_by, union_by


def test_union_by_owner_keeps_owner_positions():
    """Owner 1 has two unit squares on top of each other (area 1), owner 0 a
    2 × 2 square (area 4), owner 2 nothing (None, area 0)."""
    boxes = np.array([shapely.box(0, 0, 1, 1), shapely.box(0, 0, 1, 1), shapely.box(2, 2, 4, 4)])
    owner = np.array([1, 1, 0])
    assert union_area_by(boxes, owner, 3).tolist() == [4.0, 1.0, 0.0]
    assert union_by(boxes, owner, 3)[2] is None
    assert union_area_by(boxes[:0], owner[:0], 2).tolist() == [0.0, 0.0]


def test_threaded_matches_serial_in_order():
    many = np.array([shapely.box(i, 0, i + 1, 1 + i % 3) for i in range(5000)])
    assert threaded(shapely.area, many, min_chunk=100).tolist() == shapely.area(many).tolist()
    assert threaded(shapely.buffer, many[:3], 1.0).shape == (3,)


def test_tiling_ignores_neighbours_t_junctions():
    """Owner 0: two squares tiling 0..2 × 0..1.  Owner 1: one rectangle
    0..2 × 1..2 above them — a T-junction at (1, 1) *between owners*, which
    is not a fault of either.  Owner 2: two squares meeting in a T-junction
    of their own with a third (not edge-matched): reported, so its union is
    computed exactly.  Owner 3: a grid inside another: overlap."""
    cells = np.array([
        shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
        shapely.box(0, 1, 2, 2),
        shapely.box(5, 0, 6, 2), shapely.box(6, 0, 7, 1), shapely.box(6, 1, 7, 2),
        shapely.box(10, 0, 12, 2), shapely.box(10.5, 0.5, 11, 1),
    ])
    owner = np.array([0, 0, 1, 2, 2, 2, 3, 3])
    assert not shapely.coverage_is_valid(cells[:3])   # as one coverage: invalid
    assert tiles_without_overlap(cells, owner, 5).tolist() == [True, True, False, False, True]
