"""Pure figures (SPEC §3), scenarios and their checks (SPEC §4), auto-suggest.

``adjacency``
    Which villages are neighbours (SPEC §4): polygons that touch or lie within 10 m.
``as_of``
    The dataset as it stood at the end of a year (SPEC §3 "As of a year").
``coverage``
    Joint village Party organisations (联村党组织): how many, how far they reach.
``geometry``
    Vectorised, threaded geometry helpers for the topic modules (metric CRS).
``grid``
    The four-level grid (四级网格): levels 3 (片区) and 4 (unit grids, 单元网格).
``grid_checks``
    Checks of the four-level grid (网格治理): standards and integrity.
``grid_tree``
    The four levels of the grid as one table, and the figures and lists of a node.
``grouping``
    Groups of a what-if scenario and the checks they must pass (SPEC §4), GerryChain style.
``groups``
    Turning per-row values into per-area figures (shared by the topic modules).
``income``
    Village collective operating income (村集体经营性收入, 万元) between two years.
``kpis``
    All figures of SPEC §3 for a dataset: for the whole of it, per county, per township.
``orgs``
    Joint village Party organisations (联村党组织), one at a time and by group.
``params``
    Parameters of the figures of SPEC §3, with their defaults.
``partition_task``
    One task of the partitioned engine: the per-village sums of a batch of counties, with
    the neighbours' edges a figure needs (the halo).
``partitioned``
    All figures of SPEC §3 on a partitioned dataset, with dask-geopandas and dask.distributed.
``partitioning``
    Which county partition each row of a dataset belongs to, and writing the partitions.
``projection``
    Projected income gain of a scenario's newly covered villages — an estimate, with its
    basis.
``rankings``
    Areas ranked on the headline figures, and marked red/yellow/green against targets.
``scenario``
    Evaluating a what-if scenario of village groupings against a dataset (SPEC §4).
``scenario_compare``
    Two scenarios side by side (or one with today): figure deltas and the villages moved.
``scenario_edit``
    Editing a scenario document (SPEC §4 JSON) the way a planner does: one step at a time.
``scenario_layers``
    A scenario as the SPEC §2 layers: for its figures, and an approved plan to import.
``scenario_file``
    Scenario files (SPEC §4 JSON): read with Chinese messages, written atomically.
``site_mclp``
    The maximal covering location problem behind 选址建议: exact (scipy ``milp``), greedy,
    and the reduction that keeps the optimum.
``site_suggest``
    选址建议: where new service sites would reach the most people not yet within the
    walking minutes (candidates, their reach on foot, the suggestion).
``service``
    Service sites (党群服务中心, 近邻之家, 驿站) and the villages they reach.
``stars``
    Star ratings (党支部评星定级) and weak organisations (软弱涣散) of villages and communities.
``suggest``
    Auto-suggest (issue 5, part 4): groups of uncovered villages that 以强带弱 and cover weak
    villages.
``suggest_checks``
    Checking proposed groups against every rule, independently of how they were found.
``suggest_pack``
    Choosing disjoint candidate groups of the largest total weight (set packing).
``suggest_search``
    The search behind the auto-suggest (:mod:`analysis.suggest`), on a graph of integer
    nodes.
``trends``
    Series over years and areas for the small charts of the overview and briefing.
``village_attributes``
    One row per village with what grouping needs (SPEC §3–4): place, size, income, today's
    organisation.
``villages``
    Per-village figures used to colour maps and fill tables.
``walk``
    Walking to a service site along the roads: the 十分钟/一刻钟服务圈 of SPEC §3.
``walk_catchment``
    The road within the walking minutes of a site (the catchment the maps draw).

Functions take (Geo)DataFrames and plain parameters and return new frames or
numbers; they never change their input.  Imports only ``geo``; never
streamlit, folium, pydeck or matplotlib.  ``python -m analysis`` hands over to
:mod:`cli` (``__main__.py``).
"""
