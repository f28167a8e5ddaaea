"""Views of the education pages."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "education/home.html")


@require_GET
def index(request):
    return render(request, "education/index.html")
