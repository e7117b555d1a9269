-- v_context_figures: figures shown beside the league table and never ranked.
-- grain: one row per unit-year with a current report.
-- A rate is given only when its denominator is at least min_sample (rank_params); the
--   *_status column says what to show instead: 'rate', 'small' (counts only, e.g. 3/5),
--   'zero' (denominator 0: not applicable) or 'blank' (an operand is blank or unreadable:
--   blank is not zero, so nothing is computed).
create or replace temp view v_context_figures as
with

unit_years as (
    select * from v_rank_unit_years where has_report
),

t3 as (
    select * from v_t3
),

t4 as (
    select * from v_t4
),

operands as (
    select
        u.unit_code,
        u.report_year,
        u.submission_id,
        t3.t3__new__total as applications,
        t3.t3__total__total as handled,
        t3.t3__granted__total as granted,
        t3.t3__partial__total as partial,
        t3.t3__granted__total + t3.t3__partial__total as disclosed,
        t3.t3__carried_out__total as carried_out,
        t4.t4__review__corrected as review_corrected,
        t4.t4__review__total as review_total,
        t4.t4__review__pending as review_pending,
        t4.t4__review__total - t4.t4__review__pending as review_decided,
        t4.t4__suit_direct__corrected + t4.t4__suit_after_review__corrected as suit_corrected,
        t4.t4__suit_direct__total + t4.t4__suit_after_review__total as suit_total,
        t4.t4__suit_direct__pending + t4.t4__suit_after_review__pending as suit_pending,
        (t4.t4__suit_direct__total + t4.t4__suit_after_review__total)
        - (t4.t4__suit_direct__pending + t4.t4__suit_after_review__pending) as suit_decided,
    from unit_years as u
    left join t3 on t3.submission_id = u.submission_id
    left join t4 on t4.submission_id = u.submission_id
),

final as (
    select
        *,
        rate_status(disclosed, handled) as disclosure_status,
        rate_value(disclosed, handled) as disclosure_rate,
        rate_status(review_corrected, review_decided) as review_correction_status,
        rate_value(review_corrected, review_decided) as review_correction_rate,
        rate_status(suit_corrected, suit_decided) as suit_correction_status,
        rate_value(suit_corrected, suit_decided) as suit_correction_rate,
    from operands
)

select * from final
order by report_year, unit_code;
