{#- The number of Monday–Friday dates in [first_date, last_date], both inclusive, by arithmetic:
    weekdays_before(last_date + 1) - weekdays_before(first_date), where weekdays_before(d) counts
    the Monday–Friday dates from Monday 1900-01-01 up to the day before d. 0 for a weekend-only
    range. -#}
{% macro weekdays_between(first_date, last_date) -%}
    (
        5 * (({{ last_date }} + 1 - date '1900-01-01') / 7)
        + least(({{ last_date }} + 1 - date '1900-01-01') % 7, 5)
        - 5 * (({{ first_date }} - date '1900-01-01') / 7)
        - least(({{ first_date }} - date '1900-01-01') % 7, 5)
    )
{%- endmacro %}
