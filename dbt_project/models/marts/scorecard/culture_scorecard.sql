{#- One row per org unit and calendar quarter. Every figure covers the unit's whole subtree.
    Each indicator is computed once in an intermediate model and only joined here. -#}
with

units as (
    select * from {{ ref('int_scorecard_units') }}
),

headcount as (
    select * from {{ ref('int_headcount_by_period') }}
),

hr as (
    select * from {{ ref('int_scorecard_hr') }}
),

goals as (
    select * from {{ ref('int_scorecard_goals') }}
),

mtu as (
    select * from {{ ref('int_scorecard_mtu') }}
),

apv as (
    select * from {{ ref('int_scorecard_apv') }}
),

committees as (
    select * from {{ ref('int_scorecard_committees') }}
),

scorecard as (
    select
        units.org_unit_code,
        units.org_unit_name,
        units.parent_code,
        units.institution_code,
        units.org_level,
        units.org_path,
        units.period_start,
        units.period_end,
        coalesce(headcount.n_employees, 0) as n_employees,
        hr.sick_days_per_fte_12m,
        hr.long_term_sick_share_12m,
        hr.absence_suppressed,
        hr.turnover_pct_12m,
        hr.voluntary_turnover_pct_12m,
        hr.mus_completion_pct,
        hr.competence_hours_per_fte_12m,
        hr.internal_mobility_pct_12m,
        hr.puls_meets_pct,
        goals.goal_attainment_pct,
        mtu.mtu_survey_id,
        mtu.mtu_suppressed,
        mtu.mtu_n_respondents,
        mtu.trust_index,
        mtu.social_capital_index,
        mtu.enps,
        {%- for dimension in [
            'tillid', 'retfaerdighed', 'samarbejde', 'anerkendelse', 'rolleklarhed', 'laering',
            'ledelse', 'trivsel', 'engagement', 'kompetenceudvikling', 'arbejdspres'
        ] %}
            mtu.{{ dimension }}_score,
            mtu.{{ dimension }}_favourable_pct,
            mtu.{{ dimension }}_delta,
        {%- endfor %}
        mtu.response_rate_pct,
        apv.apv_open_findings,
        apv.apv_overdue_actions,
        apv.apv_median_days_to_close_12m,
        apv.apv_is_current,
        committees.committee_meetings_12m,
        committees.committee_meetings_su_12m,
        committees.committee_meetings_med_12m,
        committees.committee_meetings_amu_12m,
        committees.committee_attendance_pct_12m,
        committees.culture_agenda_share_12m,
        committees.open_committee_actions,
        committees.overdue_committee_actions,
        committees.mtu_followed_up
    from units
    left join headcount
        on
            units.org_unit_code = headcount.org_unit_code
            and units.period_end = headcount.period_end
    left join hr
        on
            units.org_unit_code = hr.org_unit_code
            and units.period_end = hr.period_end
    left join goals
        on
            units.org_unit_code = goals.org_unit_code
            and units.period_end = goals.period_end
    left join mtu
        on
            units.org_unit_code = mtu.org_unit_code
            and units.period_end = mtu.period_end
    left join apv
        on
            units.org_unit_code = apv.org_unit_code
            and units.period_end = apv.period_end
    left join committees
        on
            units.org_unit_code = committees.org_unit_code
            and units.period_end = committees.period_end
),

final as (
    select * from scorecard
)

select * from final
