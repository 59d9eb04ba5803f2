"""(g) The Django peer: Django REST framework on psycopg 3, under gunicorn (bench/api_bench.py)."""
