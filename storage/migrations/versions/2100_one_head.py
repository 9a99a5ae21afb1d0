"""one head again: joins the parallel heads of this round (lifecycle, grading, scorecards, card views,
security, operations) so `salesbot db upgrade` and `/readyz` speak of one revision

Revision ID: 2100
Revises: 1300, 1400, 1500, 1800, 1910, 1920
"""

revision = "2100"
down_revision = ("1300", "1400", "1500", "1800", "1910", "1920")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
