(function () {
  var tag = document.currentScript;
  var url = tag.getAttribute('url'), size = tag.getAttribute('pagesize') || '15';
  var query = JSON.parse(tag.getAttribute('queryData').replace(/'/g, '"'));
  var box = document.getElementById(tag.getAttribute('unitid'));
  function load(pageNo) {
    query.paramJson = JSON.stringify({pageNo: pageNo, pageSize: size});
    $.getJSON(url, query, function (res) {
      if (!res.data.html) { $(box).find('.more').remove(); return; }
      $(box).append(res.data.html).append('<a class="more" href="javascript:;">加载更多</a>');
      $(box).find('.more').one('click', function () { $(this).remove(); load(pageNo + 1); });
    });
  }
  load(1);
})();
