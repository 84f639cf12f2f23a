"""The learner's tunable constants, in one module so ``evals.replay --set NAME=value`` can
override any of them (code reads them as ``priors.NAME`` at call time)."""

from __future__ import annotations

PRIOR_SD = 0.4
"""Prior sd of one option's effect on log engagement (0.4 ~ x0.67 to x1.5), before EB."""
NOISE_SD = 0.35
"""Assumed per-post noise of log engagement, before EB."""
EXPLORE_POSTS = 14.0
"""Weighted posts (about two weeks of daily posts) before draws start to anneal."""
ANNEAL_POWER = 4.0
"""How fast draws narrow once past EXPLORE_POSTS: covariance x (EXPLORE_POSTS / n) ** power."""
MIN_EXPLORATION = 0.02
"""Draws never narrow below this share of the posterior covariance (exploration never stops)."""
FLOOR = 0.05
"""Scores and ratios below this count as this before taking logs."""
HOUR_SCALE = 3.0
"""Length scale (hours) of the smoothness prior over posting hours."""
HYPER_SHAPE = 2.0
"""Shape of the inverse-gamma hyperpriors on the variances: how firmly EB holds to the defaults."""
EM_STEPS = 30
RETENTION_SD = 0.15
"""Prior sd of one option's effect on log retention (the share of a reel watched), before EB."""
RETENTION_NOISE_SD = 0.1
"""Assumed per-post noise of log retention, before EB."""
MEDIATOR_SD = 1.0
"""Prior sd (mean 0) of the change in log engagement per unit of log retention, over both
factors; 0 leaves retention out of the model."""
LENGTH_DIRECT_SD = 0.03
"""Prior sd of a length bucket's effect on log engagement other than through retention, when
retention is known (fixed, not fitted: length acts through how much of the reel is watched)."""
DECAY_PER_WEEK = 0.93
"""Weight of a post per week of age: older weeks count a little less."""
CHANGE_ALPHA = 0.001
"""False-alarm rate of the change test per dimension and week."""
CHANGE_BEYOND_LEVEL = 0.05
"""How clearly a changed dimension's options must differ beyond one common shift of all posts."""
MIN_CHANGE_POSTS = 4.0
"""Weighted posts of the latest week needed before a change of taste can be declared."""
MAX_CHANGES = 3
"""Changes of taste kept in the evidence; older ones are folded into the past."""
