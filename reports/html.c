/*
 * html.c - report.html: one self-contained page for reviewers.
 *
 * Built only with libxml2's HTML tree and serializer: every piece of
 * ledger text enters the tree as a text node or attribute value, so the
 * serializer escapes it and a supplier called "<script>" stays text.
 * No network: inline CSS and script, and a Content-Security-Policy that
 * forbids everything else.  The script reads only data- attributes and
 * the DOM; it never builds markup from ledger text.  With JavaScript off
 * the page shows everything, just not interactively.
 */
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <errno.h>
#include <libxml/xmlIO.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../engine/entities.h"
#include "../engine/history.h"
#include "../engine/normalize.h"
#include "../engine/parties.h"
#include "../engine/catalog.h"
#include "../engine/report.h"

#define HTML_MAX_REJECTIONS 500
#define ROWS_MARK "probity-findings"
/*
 * A finding shows its first HTML_EVIDENCE_SHOWN evidence rows as markup,
 * and the page adds the rest HTML_EVIDENCE_MORE at a time when asked.  A
 * rule like noncompetitive-share cites every contract of a buyer's year:
 * at 10M rows three such findings cite 120 000, and the page held 129 603
 * evidence rows, a million elements, which headless Chromium took 46 s
 * to open (52 s with scripts off, so it is the markup, not the script).
 * The rest travel as JSON, which a browser reads as plain text until it
 * is asked for: on the page of rows in an island after the finding's
 * table, on the grouped page in its group's island, which holds every
 * row already.
 */
#define HTML_EVIDENCE_SHOWN 50
#define HTML_EVIDENCE_MORE 1000

/*
 * Up to HTML_ALL_AT_ONCE findings the page holds a row per finding, as
 * it always did.  Beyond, a row per finding makes a page no browser
 * opens in reasonable time (100 000 findings: 145 MB of markup, Chromium
 * not at DOMContentLoaded after ten minutes), so the findings are
 * grouped by rule, each group shows HTML_PAGE_ROWS rows at a time, and
 * every finding of the group travels as JSON in the page for the pager,
 * sorting and filters to draw from (docs/reports.md).
 */
#define HTML_ALL_AT_ONCE 2000
#define HTML_PAGE_ROWS 50

static const char css[] =
	":root{--ink:#1d2430;--muted:#5b6575;--line:#d9dee7;--bg:#f6f7f9;"
	"--critical:#7a0019;--high:#c0392b;--medium:#d68910;--low:#2e86c1}"
	"*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
	"Roboto,sans-serif;color:var(--ink);margin:0;background:var(--bg)}"
	"header{background:#1d2430;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}"
	"header p{margin:4px 0 0;color:#c9d1dd}main{padding:8px 28px 40px;max-width:1400px}"
	"section{background:#fff;border:1px solid var(--line);border-radius:6px;"
	"margin:16px 0;padding:12px 16px}h2{font-size:17px;margin:4px 0 10px}"
	"table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;"
	"border-bottom:1px solid var(--line);vertical-align:top}th{background:#eef1f5;"
	"font-weight:600;white-space:nowrap}td.num,th.num{text-align:right;"
	"font-variant-numeric:tabular-nums}tr.total td{font-weight:600}"
	".sev{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px;"
	"font-weight:600;text-transform:uppercase}span.sev-critical{background:var(--critical)}"
	"span.sev-high{background:var(--high)}span.sev-medium{background:var(--medium)}"
	"span.sev-low{background:var(--low)}tr.finding td:first-child{border-left:4px solid transparent;white-space:nowrap}"
	"tr.sev-critical td:first-child{border-left-color:var(--critical)}"
	"tr.sev-high td:first-child{border-left-color:var(--high)}"
	"tr.sev-medium td:first-child{border-left-color:var(--medium)}"
	"tr.sev-low td:first-child{border-left-color:var(--low)}.warn{color:var(--high);font-weight:600}"
	".muted{color:var(--muted)}.filters{display:flex;gap:10px;flex-wrap:wrap;"
	"margin:0 0 10px}.filters input{min-width:260px}select,input,button{font:inherit;"
	"padding:3px 6px}tr.finding{cursor:pointer}tr.finding:hover{background:#f3f6fb}"
	"tr.ev>td{background:#fafbfc;padding:8px 16px 12px 40px}ol.chain code{margin-left:10px;color:#5b6575}tr.ev table{width:auto;"
	"min-width:60%}ol.chain{margin:6px 0;padding-left:20px}code{font-size:12px}"
	"dl.details{display:grid;grid-template-columns:max-content auto;gap:2px 14px;"
	"margin:8px 0}dl.details dt{color:var(--muted)}dl.details dd{margin:0}"
	"th[data-sort]{cursor:pointer}th[data-sort]:after{content:' \\2195';color:#9aa3b0}"
	"svg.chart{display:block;margin:6px 0 10px;max-width:100%;height:auto}"
	"tr.entity{cursor:pointer}tr.entity.active{background:#fff4d6}"
	".js tr.ev{display:none}.js tr.ev.open{display:table-row}.hidden{display:none!important}"
	"button.toggle{display:none;border:0;background:none;padding:0 4px 0 0;cursor:pointer;"
	"color:var(--muted)}.js button.toggle{display:inline}"
	".ev-more button{display:none;margin:0 6px}.js .ev-more button{display:inline}"
	"tr.finding[aria-expanded=true] button.toggle{display:inline-block;transform:rotate(90deg)}"
	"@media print{header{background:none;color:#000}.filters,button.toggle,.ev-more button{display:none!important}"
	".js tr.ev{display:table-row}section{break-inside:avoid}}";

#define HTML_STR(x) #x
#define HTML_XSTR(x) HTML_STR(x)

/*
 * Both pages: a finding's evidence rows past the first
 * HTML_EVIDENCE_SHOWN (evidence_more).  probityMore adds the next
 * HTML_EVIDENCE_MORE to the finding's evidence table from `list`, whose
 * item k - offset is row k; probityMoreBox makes evidence_more's line
 * for a finding the grouped page builds.  Cells get their text through
 * textContent, never markup.
 */
static const char more_script[] =
	"var probityEvShown=" HTML_XSTR(HTML_EVIDENCE_SHOWN) ",probityEvMore=" HTML_XSTR(HTML_EVIDENCE_MORE) ";"
	"function probityMoreLabel(left){return left>probityEvMore?'Show '+probityEvMore+' more':'Show the other '+left;}"
	"function probityEvRow(tb,x){var D=document,r=D.createElement('tr'),k,td,c;for(k=0;k<6;k++){"
	"td=D.createElement('td');c=td;if(k===4){c=D.createElement('code');td.appendChild(c);}"
	"if(k===5)td.className='muted';c.textContent=x[k];r.appendChild(td);}tb.appendChild(r);}"
	"function probityMore(p,list,offset){var tb=p.previousElementSibling.tBodies[0],shown=+p.dataset.shown,"
	"total=+p.dataset.total,to=Math.min(total,shown+probityEvMore),b=p.querySelector('button'),k;"
	"for(k=shown;k<to;k++)probityEvRow(tb,list[k-offset]);p.dataset.shown=to;"
	"p.querySelector('span').textContent='Rows 1\\u2013'+to+' of '+total+' shown. ';"
	"if(to>=total)b.remove();else b.textContent=probityMoreLabel(total-to);}"
	"function probityMoreBox(td,total){var D=document,p=D.createElement('p'),s=D.createElement('span'),"
	"b=D.createElement('button'),m=D.createElement('span');p.className='ev-more';"
	"p.dataset.shown=p.dataset.served=probityEvShown;p.dataset.total=total;"
	"s.textContent='Rows 1\\u2013'+probityEvShown+' of '+total+' shown. ';b.type='button';"
	"b.textContent=probityMoreLabel(total-probityEvShown);m.className='muted';"
	"m.textContent=' findings.json and findings.csv hold every row.';"
	"p.appendChild(s);p.appendChild(b);p.appendChild(m);td.appendChild(p);return p;}"
	/* the page of rows: a finding's rows not shown are the island after its line */
	"Array.prototype.forEach.call(document.querySelectorAll('p.ev-more+script.ev-rest'),function(s){"
	"var p=s.previousElementSibling;"
	"p.querySelector('button').addEventListener('click',function(){"
	"if(!s.rows)s.rows=JSON.parse(s.textContent);probityMore(p,s.rows,+p.dataset.served);});});";

static const char script[] =
	"(function(){document.documentElement.classList.add('js');"
	"var rank={critical:4,high:3,medium:2,low:1};"
	"var body=document.getElementById('findings-body');if(!body)return;"
	"function rows(){return Array.prototype.slice.call(body.querySelectorAll('tr.finding'));}"
	"rows().forEach(function(r){r.setAttribute('aria-expanded','false');r.addEventListener('click',function(){"
	"var ev=r.nextElementSibling;if(ev&&ev.classList.contains('ev'))ev.classList.toggle('open');"
	"r.setAttribute('aria-expanded',ev&&ev.classList.contains('open')?'true':'false');});});"
	"var sev=document.getElementById('f-severity'),fam=document.getElementById('f-family'),"
	"rl=document.getElementById('f-rule'),"
	"q=document.getElementById('f-text'),count=document.getElementById('f-count'),entity=null;"
	"function apply(){var n=0,text=q.value.toLowerCase();rows().forEach(function(r){"
	"var ok=(!sev.value||r.dataset.severity===sev.value)&&(!fam.value||r.dataset.family===fam.value)"
	"&&(!rl.value||r.dataset.rule===rl.value)"
	"&&(!text||r.textContent.toLowerCase().indexOf(text)>=0)"
	"&&(!entity||r.dataset.buyer===entity||r.dataset.supplier===entity);"
	"r.classList.toggle('hidden',!ok);var ev=r.nextElementSibling;"
	"if(ev&&ev.classList.contains('ev'))ev.classList.toggle('hidden',!ok);if(ok)n++;});"
	"count.textContent=n+' shown';}"
	"[sev,fam,rl,q].forEach(function(e){e.addEventListener('input',apply);});"
	"Array.prototype.forEach.call(document.querySelectorAll('tr.entity'),function(t){"
	"t.addEventListener('click',function(){var id=t.dataset.entity;entity=entity===id?null:id;"
	"Array.prototype.forEach.call(document.querySelectorAll('tr.entity'),function(o){"
	"o.classList.toggle('active',o.dataset.entity===entity);});apply();"
	"document.getElementById('findings').scrollIntoView();});});"
	"var dir={};Array.prototype.forEach.call(document.querySelectorAll('#findings th[data-sort]'),"
	"function(th){th.addEventListener('click',function(){var k=th.dataset.sort;"
	"dir[k]=dir[k]?-dir[k]:(k==='severity'||k==='score'?-1:1);"
	"var d=dir[k];var list=rows().map(function(r){return [r,r.nextElementSibling];});"
	"function key(r){if(k==='severity')return rank[r.dataset.severity];"
	"if(k==='score')return +r.dataset.score;if(k==='message')return r.cells[3].textContent.toLowerCase();"
	"return r.dataset[k]||'';}"
	"list.sort(function(a,b){var x=key(a[0]),y=key(b[0]);"
	"return (x<y?-1:x>y?1:0)*d;});list.forEach(function(p){body.appendChild(p[0]);"
	"if(p[1]&&p[1].classList.contains('ev'))body.appendChild(p[1]);});});});apply();})();";

/*
 * Pages made with a history only (pages without one stay as they were):
 * state badges, the reviewer's controls, and a print sheet that hides
 * every control and keeps a finding's row with its evidence on one page.
 */
static const char hist_css[] =
	".state{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;border:1px solid var(--line)}"
	".state-new{background:#e3f0fb;border-color:#2e86c1}.state-updated{background:#fdf1dc;border-color:#d68910}"
	".state-unchanged{color:var(--muted)}.state-absent{background:#eee;color:var(--muted)}"
	"td.decision .dec{font-weight:600}"
	"tr.finding[data-decision=false-positive] td,tr.finding[data-decision=accepted-risk] td{color:var(--muted)}"
	".xhide{display:none!important}.decide{display:flex;gap:8px;align-items:flex-start;margin:0 0 8px}"
	".decide textarea{flex:1;min-width:260px;font:inherit}.export{display:flex;gap:10px;align-items:center;"
	"flex-wrap:wrap;margin:0 0 10px}#d-message{color:var(--high)}"
	"@media print{.filters,.export,.decide,button,select,textarea{display:none!important}"
	"section#findings,section#since-last-run{break-inside:auto}"
	"tr.finding,tr.ev,tr.ev>td,tr.ev table,tr.ev dl{break-inside:avoid;page-break-inside:avoid}"
	"tr.finding{break-after:avoid;page-break-after:avoid}"
	"tr.finding[data-decision=false-positive] td,tr.finding[data-decision=accepted-risk] td{color:#555}}";

/*
 * The reviewer's side, with a history: filters by state and decision,
 * a status and note per finding, and decisions.json built in the page
 * (docs/history.md's probity-decisions/1) and saved from a Blob: nothing
 * leaves the machine.  Controls are made with createElement and every
 * text goes in through textContent or a data- attribute, never markup.
 * probityDecisionsJSON is a plain function so it can be run alone
 * (tests/e2e/history.sh runs it under node).
 */
static const char export_script[] =
	"function probityDecisionsJSON(list){"
	"var statuses={'open':1,'confirmed':1,'false-positive':1,'accepted-risk':1,'referred':1},out=[];"
	"list.forEach(function(d){var id=String(d.finding),note=String(d.note||''),e;"
	"if(!/^[0-9a-f]{16}$/.test(id))throw new Error('\\''+id+'\\' is not a finding id');"
	"if(!Object.prototype.hasOwnProperty.call(statuses,d.status))throw new Error('finding '+id+': choose a status');"
	"if(!note.trim())throw new Error('finding '+id+': a note is required (why, in a sentence)');"
	"if(note.indexOf('\\u0000')>=0)throw new Error('finding '+id+': the note holds a NUL character');"
	"if(new TextEncoder().encode(note).length>4000)throw new Error('finding '+id+': the note is longer than 4000 bytes');"
	"e={finding:id,status:d.status,note:note};"
	"if(d.evidence_hash!==undefined){if(!/^[0-9a-f]{64}$/.test(d.evidence_hash))throw new Error('finding '+id+': bad evidence hash');"
	"e.evidence_hash=d.evidence_hash;}"
	"out.push(e);});"
	"if(!out.length)throw new Error('no decision set in this page yet');"
	"return JSON.stringify({format:'probity-decisions/1',decisions:out},null,1)+'\\n';}";

static const char hist_script[] =
	"if(typeof document!=='undefined')(function(){"
	"var body=document.getElementById('findings-body');if(!body)return;"
	"function $(id){return document.getElementById(id);}"
	"var st=$('f-state'),dc=$('f-decision'),count=$('f-count'),pending=$('d-count'),msg=$('d-message'),dirty=false;"
	"var statuses=['open','confirmed','false-positive','accepted-risk','referred'];"
	"function rows(){return Array.prototype.slice.call(body.querySelectorAll('tr.finding'));}"
	"function ev(r){var e=r.nextElementSibling;return e&&e.classList.contains('ev')?e:null;}"
	"function edited(){return rows().filter(function(r){return r.dataset.edited==='1';});}"
	"function mark(){var n=edited().length;pending.textContent=n?n+(n===1?' decision':' decisions')+' set in this page':'';}"
	"function apply(){var n=0;rows().forEach(function(r){"
	"var ok=(!st.value||r.dataset.state===st.value)&&(!dc.value||(dc.value==='edited'?r.dataset.edited==='1':r.dataset.decision===dc.value));"
	"r.classList.toggle('xhide',!ok);var e=ev(r);if(e)e.classList.toggle('xhide',!ok);"
	"if(ok&&!r.classList.contains('hidden'))n++;});count.textContent=n+' shown';}"
	"rows().forEach(function(r){var e=ev(r);if(!e)return;var td=e.cells[0];"
	"var box=document.createElement('div'),lab=document.createElement('strong'),"
	"s=document.createElement('select'),t=document.createElement('textarea'),o=document.createElement('option');"
	"box.className='decide';lab.textContent='Your decision ';box.appendChild(lab);"
	"s.setAttribute('aria-label','status');o.value='';o.textContent='(no change)';s.appendChild(o);"
	"statuses.forEach(function(v){var x=document.createElement('option');x.value=v;x.textContent=v;s.appendChild(x);});"
	"t.rows=2;t.maxLength=4000;t.placeholder='note (required): why';t.setAttribute('aria-label','note');"
	"function upd(){r.dataset.mineStatus=s.value;r.dataset.mineNote=t.value;"
	"if(s.value||t.value)r.dataset.edited='1';else delete r.dataset.edited;dirty=true;mark();}"
	"s.addEventListener('change',upd);t.addEventListener('input',upd);"
	"box.appendChild(s);box.appendChild(t);td.insertBefore(box,td.firstChild);});"
	"['f-severity','f-family','f-rule','f-text','f-state','f-decision'].forEach(function(id){$(id).addEventListener('input',apply);});"
	"Array.prototype.forEach.call(document.querySelectorAll('tr.entity'),function(t){t.addEventListener('click',apply);});"
	"$('d-export').addEventListener('click',function(){var text,url,a;"
	"try{text=probityDecisionsJSON(edited().map(function(r){return {finding:r.dataset.findingId,"
	"status:r.dataset.mineStatus,note:r.dataset.mineNote,evidence_hash:r.dataset.evidenceHash};}));}"
	"catch(x){msg.textContent=x.message;return;}"
	"msg.textContent='Saved as decisions.json: record it with probity triage --import decisions.json --by NAME --history FILE';"
	"url=URL.createObjectURL(new Blob([text],{type:'application/json'}));"
	"a=document.createElement('a');a.href=url;a.download='decisions.json';document.body.appendChild(a);a.click();"
	"setTimeout(function(){URL.revokeObjectURL(url);a.remove();},1000);dirty=false;});"
	"window.addEventListener('beforeunload',function(e){if(dirty){e.preventDefault();e.returnValue='';}});"
	"apply();})();";

static const char csp[] =
	"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/*
 * Pages beyond HTML_ALL_AT_ONCE findings: one group per rule, a pager
 * under each.  Without JavaScript the first page of each group shows and
 * the pager hides.
 */
static const char group_css[] =
	".notice{background:#fff8e6;border:1px solid #f0d48a;border-radius:4px;padding:6px 10px}"
	"div.group{margin:18px 0 8px}div.group h3{font-size:15px;margin:4px 0 2px}"
	".pager{display:none;gap:6px;align-items:center;margin:6px 0}.js .pager{display:flex}"
	"@media print{.pager{display:none!important}}";

/*
 * The grouped page's script.  Each group's findings are a JSON data
 * island (<script type="application/json">, '<', '>' and '&' written as
 * \u003c, \u003e, \u0026); it is parsed only when the group is paged,
 * sorted or filtered, so opening the page parses none of it.  Rows the
 * page was served with are reused (their charts come with them); others
 * are made with createElement and textContent, never markup.  With a
 * history, the reviewer's choices are kept by finding id, so paging or
 * filtering loses none, and decisions.json is made from them.  In
 * pieces, joined into one <script>: C compilers need only take string
 * literals of 4095 bytes.
 */
static const char *const group_script[] = {
	"(function(){var D=document;D.documentElement.classList.add('js');"
	"function $(id){return D.getElementById(id);}"
	"function each(root,sel,fn){Array.prototype.forEach.call(root.querySelectorAll(sel),fn);}"
	"function mk(tag,cls,text,parent){var e=D.createElement(tag);if(cls)e.className=cls;"
	"if(text!=null)e.textContent=text;if(parent)parent.appendChild(e);return e;}"
	"var rank={critical:4,high:3,medium:2,low:1},sec=$('findings'),PAGE=+sec.dataset.page;"
	"var sev=$('f-severity'),fam=$('f-family'),rl=$('f-rule'),q=$('f-text'),count=$('f-count'),"
	"st=$('f-state'),dc=$('f-decision'),pending=$('d-count'),msg=$('d-message'),hist=!!st,"
	"entity=null,mine={},dirty=false,cols=hist?7:5,"
	"statuses=['open','confirmed','false-positive','accepted-risk','referred'];"
	"function mark(){var n=Object.keys(mine).length;"
	"pending.textContent=n?n+(n===1?' decision':' decisions')+' set in this page':'';}"
	"function decide(r,e){var id=r.dataset.findingId,td=e.cells[0],box=mk('div','decide'),"
	"s=D.createElement('select'),t=D.createElement('textarea'),o;"
	"mk('strong',null,'Your decision ',box);s.setAttribute('aria-label','status');"
	"o=mk('option',null,'(no change)',s);o.value='';"
	"statuses.forEach(function(v){mk('option',null,v,s).value=v;});"
	"t.rows=2;t.maxLength=4000;t.placeholder='note (required): why';t.setAttribute('aria-label','note');"
	"if(mine[id]){s.value=mine[id].status;t.value=mine[id].note;}"
	"function upd(){if(s.value||t.value){mine[id]={status:s.value,note:t.value,hash:r.dataset.evidenceHash};"
	"r.dataset.edited='1';}else{delete mine[id];delete r.dataset.edited;}dirty=true;mark();}"
	"s.addEventListener('change',upd);t.addEventListener('input',upd);"
	"box.appendChild(s);box.appendChild(t);td.insertBefore(box,td.firstChild);}"
	"function wire(r,e){r.setAttribute('aria-expanded','false');r.addEventListener('click',function(){"
	"if(!e)return;e.classList.toggle('open');r.setAttribute('aria-expanded',e.classList.contains('open')?'true':'false');});"
	"if(hist&&e)decide(r,e);}"
	"function decision(td,d){if(!d){mk('span','muted','not decided',td);return;}mk('span','dec',d.status,td);"
	"mk('span','muted',' by '+(d.by||'')+', '+(d.at||'')+(d.reopened?' (reopened: the evidence changed)':''),td);"
	"mk('div',null,d.note||'',td);}",
	"function build(f,g){var r=D.createElement('tr'),e=D.createElement('tr'),ds=r.dataset,td,b,t,hr,tb;"
	"r.className='finding sev-'+f.sev;ds.findingId=f.id;ds.severity=f.sev;ds.family=g.family;ds.rule=g.rule;"
	"ds.subject=f.subject||'';ds.buyer=f.buyer||'';ds.supplier=f.supplier||'';ds.score=f.score;"
	"td=mk('td',null,null,r);b=mk('button','toggle','\\u25b8',td);b.type='button';"
	"b.setAttribute('aria-label','show evidence');mk('span','sev sev-'+f.sev,f.sev,td);"
	"mk('td',null,g.rule,r).title=g.title;mk('td',null,f.subj,r);mk('td',null,f.msg,r);mk('td','num',f.s2,r);"
	"if(hist){ds.state=f.state;ds.evidenceHash=f.hash;ds.decision=f.dec?f.dec.status:'none';"
	"if(f.dec){ds.decisionBy=f.dec.by||'';ds.decisionAt=f.dec.at||'';ds.decisionNote=f.dec.note||'';"
	"if(f.dec.reopened)ds.decisionReopened='true';}"
	"mk('span','state state-'+f.state,f.state,mk('td',null,null,r));decision(mk('td','decision',null,r),f.dec);}"
	"if(mine[f.id])ds.edited='1';e.className='ev';td=mk('td',null,null,e);td.colSpan=cols;"
	"if(f.path){mk('strong',null,'Chain',td);t=mk('ol','chain',null,td);f.path.forEach(function(p){"
	"mk('code',null,p[3],mk('li',null,p[0]+' \\u2014'+p[1]+'\\u2192 '+p[2],t)).title='source row';});}"
	"if(f.details){t=mk('dl','details',null,td);f.details.forEach(function(p){mk('dt',null,p[0],t);mk('dd',null,p[1],t);});}"
	"t=mk('table',null,null,td);hr=mk('tr',null,null,mk('thead',null,null,t));tb=mk('tbody',null,null,t);"
	"['role','table','id','status','source','other columns'].forEach(function(h){mk('th',null,h,hr);});"
	"var ev=f.ev||[],more;ev.slice(0,probityEvShown).forEach(function(x){probityEvRow(tb,x);});"
	"if(ev.length>probityEvShown){more=probityMoreBox(td,ev.length);"
	"more.querySelector('button').addEventListener('click',function(){probityMore(more,ev,0);});}"
	"wire(r,e);return [r,e];}",
	"function data(g){if(!g.data)g.data=JSON.parse($(g.el.dataset.data).textContent);return g.data;}"
	"function list(g){return g.list||data(g);}"
	"function key(f,k){if(k==='severity')return rank[f.sev];if(k==='score')return +f.score;"
	"if(k==='message')return (f.msg||'').toLowerCase();if(k==='subject')return f.subject||'';"
	"if(k==='state')return f.state||'';if(k==='decision')return f.dec?f.dec.status:'none';return '';}"
	"function sortg(g){var k=g.key,d=g.dir[k];if(!k)return;if(!g.list)g.list=data(g).slice();"
	"g.list.sort(function(a,b){var x=key(a,k),y=key(b,k);return (x<y?-1:x>y?1:0)*d;});}"
	"function info(g,n){var pages=Math.max(1,Math.ceil(n/PAGE)),from=g.page*PAGE;"
	"g.info.textContent=n?'findings '+(from+1)+'\\u2013'+Math.min(n,from+PAGE)+' of '+n+' (page '+(g.page+1)+' of '+pages+')':'none match';"
	"each(g.el,'.pager button',function(b){var back=b.dataset.go==='first'||b.dataset.go==='prev';"
	"b.disabled=back?g.page===0:g.page>=pages-1;});}"
	"function render(g){var L=list(g),pages=Math.max(1,Math.ceil(L.length/PAGE));if(g.page>=pages)g.page=pages-1;"
	"while(g.body.firstChild)g.body.removeChild(g.body.firstChild);"
	"L.slice(g.page*PAGE,(g.page+1)*PAGE).forEach(function(f){var p=g.rows[f.id]||(g.rows[f.id]=build(f,g));"
	"g.body.appendChild(p[0]);if(p[1])g.body.appendChild(p[1]);});"
	"info(g,L.length);g.el.classList.toggle('hidden',!L.length);}"
	"var groups=[];each(D,'div.group',function(el){var g={el:el,rule:el.dataset.rule,family:el.dataset.family,"
	"title:el.dataset.title,body:el.querySelector('tbody'),info:el.querySelector('.page-info'),"
	"data:null,list:null,page:0,key:null,dir:{},rows:{}};"
	"each(g.body,'tr.finding',function(r){var e=r.nextElementSibling;if(!e||!e.classList.contains('ev'))e=null;"
	"g.rows[r.dataset.findingId]=[r,e];wire(r,e);});"
	"each(g.body,'p.ev-more button',function(b){b.addEventListener('click',function(){var p=b.parentNode,"
	"id=p.closest('tr.ev').previousElementSibling.dataset.findingId;"
	"probityMore(p,data(g).filter(function(f){return f.id===id;})[0].ev,0);});});"
	"each(el,'.pager button',function(b){b.addEventListener('click',function(){"
	"var last=Math.max(0,Math.ceil(list(g).length/PAGE)-1),to=b.dataset.go;"
	"g.page=to==='first'?0:to==='prev'?Math.max(0,g.page-1):to==='next'?Math.min(last,g.page+1):last;render(g);});});"
	"each(el,'th[data-sort]',function(th){th.addEventListener('click',function(){var k=th.dataset.sort;"
	"g.dir[k]=g.dir[k]?-g.dir[k]:(k==='severity'||k==='score'?-1:1);g.key=k;sortg(g);g.page=0;render(g);});});"
	"info(g,+el.dataset.count);groups.push(g);});",
	"function matches(g){var s=sev.value,t=q.value.toLowerCase(),S=hist&&st.value,C=hist&&dc.value;"
	"return function(f){return (!s||f.sev===s)&&(!entity||f.buyer===entity||f.supplier===entity)"
	"&&(!t||[f.sev,g.rule,f.subj,f.msg,f.s2].join(' ').toLowerCase().indexOf(t)>=0)"
	"&&(!S||f.state===S)&&(!C||(C==='edited'?!!mine[f.id]:(f.dec?f.dec.status:'none')===C));};}"
	"function apply(){var n=0,any=sev.value||q.value||entity||(hist&&(st.value||dc.value));"
	"groups.forEach(function(g){if((fam.value&&g.family!==fam.value)||(rl.value&&g.rule!==rl.value)){"
	"g.el.classList.add('hidden');return;}g.list=any?data(g).filter(matches(g)):null;sortg(g);g.page=0;render(g);"
	"n+=list(g).length;});count.textContent=n+' match, '+PAGE+' a page per rule';}"
	"[sev,fam,rl,q,st,dc].forEach(function(e){if(e)e.addEventListener('input',apply);});"
	"each(D,'tr.entity',function(t){t.addEventListener('click',function(){var id=t.dataset.entity;"
	"entity=entity===id?null:id;each(D,'tr.entity',function(o){o.classList.toggle('active',o.dataset.entity===entity);});"
	"apply();sec.scrollIntoView();});});"
	"count.textContent=sec.dataset.total+' match, '+PAGE+' a page per rule';"
	"if(hist){$('d-export').addEventListener('click',function(){var text,url,a;"
	"try{text=probityDecisionsJSON(Object.keys(mine).map(function(id){return {finding:id,"
	"status:mine[id].status,note:mine[id].note,evidence_hash:mine[id].hash};}));}"
	"catch(x){msg.textContent=x.message;return;}"
	"msg.textContent='Saved as decisions.json: record it with probity triage --import decisions.json --by NAME --history FILE';"
	"url=URL.createObjectURL(new Blob([text],{type:'application/json'}));"
	"a=D.createElement('a');a.href=url;a.download='decisions.json';D.body.appendChild(a);a.click();"
	"setTimeout(function(){URL.revokeObjectURL(url);a.remove();},1000);dirty=false;});"
	"window.addEventListener('beforeunload',function(e){if(dirty){e.preventDefault();e.returnValue='';}});}})();",
	NULL};

/* --- small tree helpers: text always goes through xmlNewTextChild --- */

/*
 * libxml2 returns NULL when it cannot allocate (and reports it through
 * its error handler): either sets `failed`, and the writer stops at the
 * next finding rather than serialise a page with holes in it.
 */
static _Thread_local int failed; /* per writing thread */

static void *checked(void *p)
{
	if (!p)
		failed = 1;
	return p;
}

static void on_xml_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
	failed = 1;
}

/*
 * libxml2's serializer stops at the first invalid UTF-8 sequence and
 * prints to stderr, which would cut the page short; ledger text is
 * validated on import, but an odd byte becomes U+FFFD here rather than
 * truncate a report.  Returns s itself, or tmp's copy.
 */
static const char *utf8(const char *s, pb_buf *tmp)
{
	utf8proc_int32_t cp;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t n;

	/* ASCII is UTF-8 a byte at a time: most ledger text is, and
	 * utf8proc_iterate on every byte was a sixth of the reports */
	while (*p && *p < 0x80)
		p++;
	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0)
		p += n;
	if (!*p)
		return s;
	pb_buf_reset(tmp);
	pb_buf_add(tmp, s, (size_t)(p - (const utf8proc_uint8_t *)s));
	while (*p) {
		n = utf8proc_iterate(p, -1, &cp);
		if (n > 0) {
			pb_buf_add(tmp, p, (size_t)n);
			p += n;
		} else {
			pb_buf_addstr(tmp, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
		}
	}
	return tmp->data;
}

static xmlNodePtr el(xmlNodePtr parent, const char *name, const char *text)
{
	pb_buf tmp;
	xmlNodePtr n;

	pb_buf_init(&tmp);
	n = checked(xmlNewTextChild(parent, NULL, BAD_CAST name,
				    text ? BAD_CAST utf8(text, &tmp) : NULL));
	pb_buf_release(&tmp);
	return n;
}

static xmlNodePtr el_class(xmlNodePtr parent, const char *name, const char *cls,
			   const char *text)
{
	xmlNodePtr n = el(parent, name, text);

	if (cls)
		checked(xmlNewProp(n, BAD_CAST "class", BAD_CAST cls));
	return n;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void attr(xmlNodePtr n, const char *name, const char *value)
{
	pb_buf tmp;

	pb_buf_init(&tmp);
	checked(xmlNewProp(n, BAD_CAST name, BAD_CAST(value ? utf8(value, &tmp) : "")));
	pb_buf_release(&tmp);
}

static xmlNodePtr num_cell(xmlNodePtr tr, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return el_class(tr, "td", "num", buf);
}

static void header_row(xmlNodePtr table, const char *const *names)
{
	xmlNodePtr tr = el(el(table, "thead", NULL), "tr", NULL);

	for (; *names; names++) {
		const char *n = *names;
		int right = n[0] == '#';
		el_class(tr, "th", right ? "num" : NULL, right ? n + 1 : n);
	}
}

/* A table under parent with a header row of `names`: its body. */
static xmlNodePtr table_body(xmlNodePtr parent, const char *const *names)
{
	xmlNodePtr t = el(parent, "table", NULL);

	header_row(t, names);
	return el(t, "tbody", NULL);
}

static xmlNodePtr section(xmlNodePtr main, const char *id, const char *title)
{
	xmlNodePtr s = el(main, "section", NULL);

	attr(s, "id", id);
	el(s, "h2", title);
	return s;
}

static void sev_badge(xmlNodePtr parent, pb_severity s)
{
	char cls[32];

	snprintf(cls, sizeof(cls), "sev sev-%s", pb_severity_name(s));
	el_class(parent, "span", cls, pb_severity_name(s));
}

/* --- sections --- */

static void head(xmlNodePtr html, const pb_audit *a, int paged)
{
	xmlNodePtr h = el(html, "head", NULL);
	xmlNodePtr m = el(h, "meta", NULL);
	char title[96], date[11];

	attr(m, "charset", "utf-8");
	m = el(h, "meta", NULL);
	attr(m, "http-equiv", "Content-Security-Policy");
	attr(m, "content", csp);
	m = el(h, "meta", NULL);
	attr(m, "name", "viewport");
	attr(m, "content", "width=device-width, initial-scale=1");
	snprintf(title, sizeof(title), "probity audit as of %s",
		 a->as_of == PB_DATE_NONE ? "unknown" : pb_date_format(a->as_of, date));
	el(h, "title", title);
	el(h, "style", css);
	if (pb_history_view_of(a))
		el(h, "style", hist_css);
	if (paged)
		el(h, "style", group_css);
}

static void banner(xmlNodePtr body, const pb_audit *a)
{
	xmlNodePtr h = el(body, "header", NULL);
	char line[256], date[11];
	unsigned long long rows = 0;
	const pb_input *in = pb_ledger_inputs(a->ledger);

	for (size_t i = 0; i < pb_ledger_ninputs(a->ledger); i++)
		rows += in[i].rows_read;
	el(h, "h1", "Procurement integrity audit");
	snprintf(line, sizeof(line), "%s · as of %s · base currency %s · %zu inputs, %llu rows · %zu findings",
		 pb_report_tool(),
		 a->as_of == PB_DATE_NONE ? "unknown" : pb_date_format(a->as_of, date),
		 a->config->base_currency, pb_ledger_ninputs(a->ledger), rows, a->nfindings);
	el(h, "p", line);
	if (a->as_of_aside.n) {
		pb_buf note;
		pb_buf_init(&note);
		pb_buf_addstr(&note, "As of: ");
		pb_audit_as_of_note(a, &note);
		el(h, "p", note.data);
		pb_buf_release(&note);
	}
}

static size_t count_family(const pb_audit *a, const char *family, int sev)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		n += !strcmp(a->findings[i]->rule->family, family) &&
		     (sev < 0 || (int)a->findings[i]->severity == sev);
	return n;
}

static void summary(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"family", "#critical", "#high", "#medium",
					   "#low", "#total", NULL};
	xmlNodePtr s = section(main, "summary", "Summary by family and severity");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t r = 0; r < pb_nrules; r++) {
		const char *fam = pb_rules[r]->family;
		int seen = 0;
		for (size_t k = 0; k < r; k++)
			seen |= !strcmp(pb_rules[k]->family, fam);
		if (seen)
			continue;
		xmlNodePtr tr = el(tb, "tr", NULL);
		el(tr, "td", fam);
		for (int sev = PB_SEV_CRITICAL; sev >= PB_SEV_LOW; sev--)
			num_cell(tr, count_family(a, fam, sev));
		num_cell(tr, count_family(a, fam, -1));
	}
	xmlNodePtr tr = el_class(tb, "tr", "total", NULL);
	el(tr, "td", "all");
	for (int sev = PB_SEV_CRITICAL; sev >= PB_SEV_LOW; sev--)
		num_cell(tr, pb_audit_count(a, sev));
	num_cell(tr, a->nfindings);
}

static void entities(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"#rank", "entity", "name", "role", "#score",
					   "#findings", "#rules fired / applicable", NULL};
	xmlNodePtr s = section(main, "entities", "Buyers and suppliers by risk");
	char buf[64];

	el_class(s, "p", "muted",
		 "Score: the share of the red flags applicable to an entity that fire, weighted by "
		 "severity (in the spirit of GTI's Corruption Risk Index). Click a row to show its findings.");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < a->nentities && i < 50; i++) {
		const pb_entity_score *e = &a->entities[i];
		if (!e->nfindings)
			break;
		xmlNodePtr tr = el_class(tb, "tr", "entity", NULL);
		attr(tr, "data-entity", e->id);
		num_cell(tr, e->rank);
		el(tr, "td", e->id);
		el(tr, "td", e->name ? e->name : "");
		el(tr, "td", e->role);
		snprintf(buf, sizeof(buf), "%.3f", e->score);
		el_class(tr, "td", "num", buf);
		num_cell(tr, e->nfindings);
		snprintf(buf, sizeof(buf), "%zu / %zu", e->nfired, e->napplicable);
		el_class(tr, "td", "num", buf);
	}
}

/* --- with a history: what changed since the last run --- */

static void since_counts(xmlNodePtr s, const pb_history_view *v)
{
	static const char *const cols[] = {"#new", "#unchanged", "#updated", "#absent",
					   "#decisions reopened", "#set apart by reviewers", NULL};
	xmlNodePtr tr = el(table_body(s, cols), "tr", NULL);

	for (int st = 0; st < PB_HS_COUNT; st++)
		attr(num_cell(tr, v->count[st]), "data-count", pb_hstate_name(st));
	num_cell(tr, v->reopened);
	num_cell(tr, v->dismissed);
}

/* "false-positive by alice at 2026-...: note", as text nodes. */
static void decision_text(xmlNodePtr parent, const pb_decision *d)
{
	pb_buf b;

	if (!d) {
		el_class(parent, "span", "muted", "not decided");
		return;
	}
	el_class(parent, "span", "dec", pb_dstatus_name(d->status));
	pb_buf_init(&b);
	pb_buf_addf(&b, " by %s, %s%s", nz(d->by), nz(d->at),
		    d->reopened ? " (reopened: the evidence changed)" : "");
	el_class(parent, "span", "muted", b.data);
	pb_buf_release(&b);
	el(parent, "div", d->note);
}

static void absent_table(xmlNodePtr s, const pb_history_view *v)
{
	static const char *const cols[] = {"finding", "severity", "rule", "subject", "message",
					   "decision", NULL};

	if (!v->nabsent) {
		el_class(s, "p", "muted", "No finding of the previous run is gone.");
		return;
	}
	el(s, "h3", "Gone since the last run (absent)");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < v->nabsent; i++) {
		const pb_hentry *e = &v->absent[i];
		xmlNodePtr tr = el_class(tb, "tr", "absent", NULL);
		attr(tr, "data-finding-id", e->id);
		attr(tr, "data-state", "absent");
		el(el(tr, "td", NULL), "code", e->id);
		el(tr, "td", e->severity);
		el(tr, "td", e->rule);
		pb_buf subj;
		pb_buf_init(&subj);
		pb_buf_addf(&subj, "%s/%s", nz(e->subject_table), nz(e->subject_id));
		el(tr, "td", subj.data);
		pb_buf_release(&subj);
		el(tr, "td", e->message);
		decision_text(el(tr, "td", NULL), e->decision);
	}
}

static void since_last_run(xmlNodePtr main, const pb_history_view *v)
{
	xmlNodePtr s = section(main, "since-last-run", "Since the last run");
	pb_buf b;

	pb_buf_init(&b);
	if (v->previous)
		pb_buf_addf(&b, "Run %lld (%s) against run %lld (%s).", (long long)v->run,
			    nz(v->started_at), (long long)v->previous, nz(v->previous_at));
	else
		pb_buf_addf(&b, "Run %lld (%s): the first run in this history, every finding is new.",
			    (long long)v->run, nz(v->started_at));
	el(s, "p", b.data);
	if (v->settings_changed)
		el_class(s, "p", "warn",
			 "The settings differ from the previous run's: some changes may come from that.");
	since_counts(s, v);
	absent_table(s, v);
	pb_buf_reset(&b);
	pb_buf_addf(&b, "Decision log: %lld entr%s, head %s. This run's digest: %s. Keep this page: "
		    "a history rewritten later no longer matches them (probity history verify).",
		    (long long)v->decisions, v->decisions == 1 ? "y" : "ies", v->decisions_head, v->digest);
	el_class(s, "p", "muted", b.data);
	pb_buf_release(&b);
}

/* --- inline SVG charts, drawn from a finding's details --- */

static const char *detail(const pb_finding *f, const char *key)
{
	for (size_t i = 0; i < f->ndetails; i++)
		if (!strcmp(f->details[i].key, key))
			return f->details[i].value;
	return NULL;
}

/* "1,2.5,,4" into doubles; an empty item is NAN.  Returns the count. */
static size_t parse_numbers(const char *s, double *out, size_t max)
{
	size_t n = 0;

	while (s && n < max) {
		char *end;
		double v = strtod(s, &end);
		out[n++] = end == s ? NAN : v;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return n;
}

static xmlNodePtr svg_node(xmlNodePtr parent, const char *name)
{
	return checked(xmlNewChild(parent, NULL, BAD_CAST name, NULL));
}

static void num_attr(xmlNodePtr n, const char *name, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.1f", v);
	attr(n, name, buf);
}

static xmlNodePtr svg_start(xmlNodePtr parent, double w, double h, const char *label)
{
	char box[64];
	xmlNodePtr svg = svg_node(parent, "svg");

	snprintf(box, sizeof(box), "0 0 %.0f %.0f", w, h);
	attr(svg, "viewBox", box);
	num_attr(svg, "width", w);
	num_attr(svg, "height", h);
	attr(svg, "role", "img");
	attr(svg, "aria-label", label);
	attr(svg, "class", "chart");
	return svg;
}

static void rect(xmlNodePtr svg, double x, double y, double w, double h, const char *fill)
{
	xmlNodePtr r = svg_node(svg, "rect");

	num_attr(r, "x", x);
	num_attr(r, "y", y);
	num_attr(r, "width", w);
	num_attr(r, "height", h);
	attr(r, "fill", fill);
}

static void line(xmlNodePtr svg, double x1, double y1, double x2, double y2,
		 const char *stroke, int dashed)
{
	xmlNodePtr l = svg_node(svg, "line");

	num_attr(l, "x1", x1);
	num_attr(l, "y1", y1);
	num_attr(l, "x2", x2);
	num_attr(l, "y2", y2);
	attr(l, "stroke", stroke);
	if (dashed)
		attr(l, "stroke-dasharray", "4 3");
}

static void label(xmlNodePtr svg, double x, double y, const char *text, const char *anchor)
{
	xmlNodePtr t = el(svg, "text", text);

	num_attr(t, "x", x);
	num_attr(t, "y", y);
	attr(t, "font-size", "10");
	attr(t, "text-anchor", anchor);
	attr(t, "fill", "#5b6575");
}

/* Observed first-two-digit proportions as bars, Benford's as a line. */
static void benford_chart(xmlNodePtr td, const pb_finding *f)
{
	double obs[90], exp[90], max = 0.0;
	const double w = 560, h = 170, left = 30, bottom = 150, bw = 5.6;

	if (parse_numbers(detail(f, "observed_10_99"), obs, 90) != 90 ||
	    parse_numbers(detail(f, "expected_10_99"), exp, 90) != 90)
		return;
	for (int i = 0; i < 90; i++)
		max = fmax(max, fmax(obs[i], exp[i]));
	if (max <= 0)
		return;
	el(td, "strong", "First two digits: observed (bars) and Benford (line)");
	xmlNodePtr svg = svg_start(el(td, "div", NULL), w, h,
				   "observed and expected first-two-digit distributions");
	pb_buf pts;
	pb_buf_init(&pts);
	for (int i = 0; i < 90; i++) {
		double bh = obs[i] / max * (bottom - 10);
		rect(svg, left + i * bw, bottom - bh, bw - 1, bh, "#2e86c1");
		pb_buf_addf(&pts, "%.1f,%.1f ", left + i * bw + bw / 2, bottom - exp[i] / max * (bottom - 10));
		if ((i + 10) % 10 == 0) {
			char d[8];
			snprintf(d, sizeof(d), "%d", i + 10);
			label(svg, left + i * bw, bottom + 12, d, "start");
		}
	}
	xmlNodePtr pl = svg_node(svg, "polyline");
	attr(pl, "points", pts.data);
	attr(pl, "fill", "none");
	attr(pl, "stroke", "#c0392b");
	attr(pl, "stroke-width", "1.5");
	pb_buf_release(&pts);
	line(svg, left, bottom, left + 90 * bw, bottom, "#9aa3b0", 0);
}

/* Monthly spending of a fiscal year, the last month marked. */
static void monthly_chart(xmlNodePtr td, const pb_finding *f)
{
	double v[12], max = 0.0, sum = 0.0;
	int months = 0;
	const double w = 420, h = 160, left = 20, bottom = 135, bw = 30;

	if (parse_numbers(detail(f, "monthly"), v, 12) != 12)
		return;
	for (int i = 0; i < 12; i++)
		if (!isnan(v[i])) {
			max = fmax(max, v[i]);
			sum += v[i];
			months++;
		}
	if (max <= 0 || !months)
		return;
	el(td, "strong", "Monthly spending in the fiscal year (the last month is the fiscal year end)");
	xmlNodePtr svg = svg_start(el(td, "div", NULL), w, h, "monthly spending with the fiscal year end marked");
	for (int i = 0; i < 12; i++) {
		char m[8];
		if (!isnan(v[i])) {
			double bh = v[i] / max * (bottom - 15);
			rect(svg, left + i * bw, bottom - bh, bw - 4, bh, i == 11 ? "#c0392b" : "#2e86c1");
		}
		snprintf(m, sizeof(m), "M%d", i + 1);
		label(svg, left + i * bw + (bw - 4) / 2, bottom + 12, m, "middle");
	}
	double mean_y = bottom - sum / months / max * (bottom - 15);
	line(svg, left, mean_y, left + 12 * bw, mean_y, "#5b6575", 1);
	label(svg, left + 12 * bw, mean_y - 3, "mean", "end");
	line(svg, left + 12 * bw - 2, 5, left + 12 * bw - 2, bottom, "#7a0019", 1);
	label(svg, left + 12 * bw - 4, 12, "FY end", "end");
}

/* Contract values from 0.5T to 1.5T in 5% bins, the threshold marked. */
static void threshold_chart(xmlNodePtr td, const pb_finding *f)
{
	double vals[4096], t, bins[20] = {0}, max = 0;
	const char *ts = detail(f, "threshold");
	const double w = 440, h = 160, left = 20, bottom = 135, bw = 20;

	if (!ts || (t = strtod(ts, NULL)) <= 0)
		return;
	size_t n = parse_numbers(detail(f, "values"), vals, 4096);
	for (size_t i = 0; i < n; i++) {
		double r = vals[i] / t;
		if (r >= 0.5 && r < 1.5)
			bins[(int)((r - 0.5) * 20.0)]++;
	}
	for (int b = 0; b < 20; b++)
		max = fmax(max, bins[b]);
	if (max <= 0)
		return;
	el(td, "strong", "Contract values around the threshold (5% bins, 0.5T to 1.5T)");
	xmlNodePtr svg = svg_start(el(td, "div", NULL), w, h, "contract values around the threshold");
	for (int b = 0; b < 20; b++) {
		double bh = bins[b] / max * (bottom - 15);
		rect(svg, left + b * bw, bottom - bh, bw - 2, bh, b == 8 || b == 9 ? "#c0392b" : "#2e86c1");
	}
	line(svg, left + 10 * bw - 1, 5, left + 10 * bw - 1, bottom, "#7a0019", 1);
	label(svg, left + 10 * bw + 2, 12, ts, "start");
	label(svg, left, bottom + 12, "0.5T", "start");
	label(svg, left + 20 * bw, bottom + 12, "1.5T", "end");
}

static void charts(xmlNodePtr td, const pb_finding *f)
{
	if (!strcmp(f->rule->id, "payments.benford"))
		benford_chart(td, f);
	else if (!strcmp(f->rule->id, "timing.year-end-spike"))
		monthly_chart(td, f);
	else if (!strcmp(f->rule->id, "splitting.threshold-hugging"))
		threshold_chart(td, f);
}

static void evidence_tr(xmlNodePtr etb, const pb_evidence *e)
{
	xmlNodePtr r = el(etb, "tr", NULL);
	pb_buf x;

	el(r, "td", e->role);
	el(r, "td", e->table);
	el(r, "td", e->id);
	el(r, "td", e->status ? e->status : "");
	el(el(r, "td", NULL), "code", e->source);
	pb_buf_init(&x);
	for (uint32_t k = 0; k < e->nextra; k++)
		pb_buf_addf(&x, "%s%s = %s", k ? "; " : "", nz(e->extra[k].name), nz(e->extra[k].value));
	el_class(r, "td", "muted", x.data);
	pb_buf_release(&x);
}

static void evidence_json(pb_buf *b, const pb_finding *f, size_t from);
static void island_escape(pb_buf *out, const char *s);

/* "Show 1000 more", or the few left; the page's script says the same
 * (probityMoreLabel). */
static void more_label(char *buf, size_t size, size_t left)
{
	if (left > HTML_EVIDENCE_MORE)
		snprintf(buf, size, "Show %d more", HTML_EVIDENCE_MORE);
	else
		snprintf(buf, size, "Show the other %zu", left);
}

/*
 * Under a finding's evidence table when it has more rows than it shows:
 * how many show, a button for the next ones (hidden without scripts and
 * in print) and where every row is.  On the page of rows (`island`) the
 * rows not shown follow as JSON; the grouped page's script finds them in
 * the group's island.
 */
static void evidence_more(xmlNodePtr td, const pb_finding *f, int island)
{
	char buf[96];
	xmlNodePtr p = el_class(td, "p", "ev-more", NULL);

	snprintf(buf, sizeof(buf), "%d", HTML_EVIDENCE_SHOWN);
	attr(p, "data-shown", buf);
	attr(p, "data-served", buf);
	snprintf(buf, sizeof(buf), "%zu", f->nevidence);
	attr(p, "data-total", buf);
	snprintf(buf, sizeof(buf), "Rows 1\xe2\x80\x93%d of %zu shown. ", HTML_EVIDENCE_SHOWN, f->nevidence);
	el(p, "span", buf);
	more_label(buf, sizeof(buf), f->nevidence - HTML_EVIDENCE_SHOWN);
	attr(el(p, "button", buf), "type", "button");
	el_class(p, "span", "muted", " findings.json and findings.csv hold every row.");
	if (!island)
		return;
	pb_buf json, safe;
	pb_buf_init(&json);
	pb_buf_init(&safe);
	evidence_json(&json, f, HTML_EVIDENCE_SHOWN);
	island_escape(&safe, json.data);
	xmlNodePtr rest = el_class(td, "script", "ev-rest", safe.data);
	attr(rest, "type", "application/json");
	pb_buf_release(&json);
	pb_buf_release(&safe);
}

/* Finding f's evidence row: its chart, chain, details and the first
 * HTML_EVIDENCE_SHOWN evidence rows, then evidence_more's line. */
static void evidence_row(xmlNodePtr tb, const pb_finding *f, int history, int island)
{
	static const char *const cols[] = {"role", "table", "id", "status", "source", "other columns", NULL};
	xmlNodePtr tr = el_class(tb, "tr", "ev", NULL);
	xmlNodePtr td = el(tr, "td", NULL);

	attr(td, "colspan", history ? "7" : "5");
	charts(td, f);
	if (f->npath) {
		el(td, "strong", "Chain");
		xmlNodePtr ol = el_class(td, "ol", "chain", NULL);
		for (size_t k = 0; k < f->npath; k++) {
			pb_buf b;
			pb_buf_init(&b);
			pb_buf_addf(&b, "%s —%s→ %s", nz(f->path[k].from), nz(f->path[k].kind),
				    nz(f->path[k].to));
			xmlNodePtr li = el(ol, "li", b.data);
			xmlNodePtr src = el_class(li, "code", NULL, f->path[k].source);
			attr(src, "title", "source row");
			pb_buf_release(&b);
		}
	}
	if (f->ndetails) {
		xmlNodePtr dl = el_class(td, "dl", "details", NULL);
		for (size_t k = 0; k < f->ndetails; k++) {
			el(dl, "dt", f->details[k].key);
			el(dl, "dd", f->details[k].value);
		}
	}
	xmlNodePtr etb = table_body(td, cols);
	for (size_t k = 0; k < f->nevidence && k < HTML_EVIDENCE_SHOWN; k++)
		evidence_tr(etb, &f->evidence[k]);
	if (f->nevidence > HTML_EVIDENCE_SHOWN)
		evidence_more(td, f, island);
}

/* data- attributes for the page's filters and export, and two cells. */
static void finding_history(xmlNodePtr tr, const pb_hentry *e)
{
	const pb_decision *d = e->decision;
	const char *state = pb_hstate_name(e->state);
	char cls[32];

	attr(tr, "data-state", state);
	attr(tr, "data-evidence-hash", e->evidence_hash);
	attr(tr, "data-decision", d ? pb_dstatus_name(d->status) : "none");
	if (d) {
		attr(tr, "data-decision-by", d->by);
		attr(tr, "data-decision-at", d->at);
		attr(tr, "data-decision-note", d->note);
		if (d->reopened)
			attr(tr, "data-decision-reopened", "true");
	}
	snprintf(cls, sizeof(cls), "state state-%s", state);
	el_class(el(tr, "td", NULL), "span", cls, state);
	decision_text(el_class(tr, "td", "decision", NULL), d);
}

/* Finding i's row and its evidence row; `island`: the page of rows,
 * where the evidence rows not shown follow the finding as JSON. */
static void finding_row(xmlNodePtr tb, const pb_audit *a, size_t i, int island)
{
	const pb_finding *f = a->findings[i];
	const pb_history_view *v = pb_history_view_of(a);
	const pb_hentry *h = v && i < v->nfindings ? &v->findings[i] : NULL;
	char buf[64];
	xmlNodePtr tr = el(tb, "tr", NULL);

	snprintf(buf, sizeof(buf), "finding sev-%s", pb_severity_name(f->severity));
	attr(tr, "class", buf);
	attr(tr, "data-finding-id", f->id);
	attr(tr, "data-severity", pb_severity_name(f->severity));
	attr(tr, "data-family", f->rule->family);
	attr(tr, "data-rule", f->rule->id);
	attr(tr, "data-subject", f->subject_id);
	attr(tr, "data-buyer", f->buyer_id);
	attr(tr, "data-supplier", f->supplier_id);
	snprintf(buf, sizeof(buf), "%.4f", f->score);
	attr(tr, "data-score", buf);
	xmlNodePtr first = el(tr, "td", NULL);
	xmlNodePtr toggle = el_class(first, "button", "toggle", "\xe2\x96\xb8"); /* U+25B8 */
	attr(toggle, "type", "button");
	attr(toggle, "aria-label", "show evidence");
	sev_badge(first, f->severity);
	xmlNodePtr rule = el(tr, "td", f->rule->id);
	attr(rule, "title", f->rule->title);
	pb_buf subj;
	pb_buf_init(&subj);
	pb_buf_addf(&subj, "%s/%s", nz(f->subject_table), nz(f->subject_id));
	el(tr, "td", subj.data);
	pb_buf_release(&subj);
	el(tr, "td", f->message);
	snprintf(buf, sizeof(buf), "%.2f", f->score);
	el_class(tr, "td", "num", buf);
	if (h)
		finding_history(tr, h);
	evidence_row(tb, f, h != NULL, island);
}

/* --- beyond HTML_ALL_AT_ONCE findings: one group per rule, paged --- */

typedef struct {
	const pb_rule *rule;
	size_t n;                 /* its findings */
	size_t sev[PB_SEV_COUNT]; /* of which, by severity */
} html_group;

typedef struct {
	html_group *v; /* the rules that fired, most serious first */
	size_t n;
	int paged;     /* 1: more than HTML_ALL_AT_ONCE findings */
} html_groups;

static int worst(const html_group *g)
{
	int s = PB_SEV_CRITICAL;

	while (s > PB_SEV_LOW && !g->sev[s])
		s--;
	return s;
}

/* The worst severity first, then the most findings, then by id. */
static int group_cmp(const void *x, const void *y)
{
	const html_group *a = x, *b = y;

	if (worst(a) != worst(b))
		return worst(b) - worst(a);
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->rule->id, b->rule->id);
}

/* One pass over the findings; a handful of rules fire, so a scan finds
 * a finding's group. */
static void groups_init(html_groups *g, const pb_audit *a)
{
	size_t cap = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < a->nfindings; i++) {
		const pb_finding *f = a->findings[i];
		size_t k = 0;
		while (k < g->n && g->v[k].rule != f->rule)
			k++;
		if (k == g->n) {
			PB_GROW(g->v, g->n + 1, cap);
			memset(&g->v[g->n++], 0, sizeof(*g->v));
			g->v[k].rule = f->rule;
		}
		g->v[k].n++;
		if ((int)f->severity >= 0 && f->severity < PB_SEV_COUNT)
			g->v[k].sev[f->severity]++;
	}
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), group_cmp);
	g->paged = a->nfindings > HTML_ALL_AT_ONCE;
}

static void groups_release(html_groups *g)
{
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static void filter_select(xmlNodePtr parent, const char *id, const char *label,
			  const char *const *values, size_t n)
{
	xmlNodePtr l = el(parent, "label", label);
	xmlNodePtr s = el(l, "select", NULL);

	attr(s, "id", id);
	xmlNodePtr o = el(s, "option", "all");
	attr(o, "value", "");
	for (size_t i = 0; i < n; i++)
		attr(el(s, "option", values[i]), "value", values[i]);
}

/* With a history: filters by state and decision, and the export bar. */
static void review_controls(xmlNodePtr s, xmlNodePtr filters)
{
	static const char *const states[] = {"new", "updated", "unchanged"};
	static const char *const decisions[] = {"none", "open", "confirmed", "referred",
						"false-positive", "accepted-risk", "edited"};

	filter_select(filters, "f-state", "State ", states, 3);
	filter_select(filters, "f-decision", "Decision ", decisions, 7);
	xmlNodePtr bar = el_class(s, "div", "export", NULL);
	xmlNodePtr b = el(bar, "button", "Download decisions.json");
	attr(b, "type", "button");
	attr(b, "id", "d-export");
	attr(el_class(bar, "span", "muted", NULL), "id", "d-count");
	attr(el(bar, "span", NULL), "id", "d-message");
	el_class(s, "p", "muted",
		 "Set a status and a note under a finding's evidence, then download them as decisions.json "
		 "(made in this page, nothing is sent anywhere) and record them with "
		 "probity triage --import decisions.json --by NAME --history FILE. "
		 "Decision \"none\": never decided; \"edited\": set in this page.");
}

/* The rules that fired, most serious first, with their counts. */
static void rule_filter(xmlNodePtr parent, const html_groups *g)
{
	xmlNodePtr s = el(el(parent, "label", "Rule "), "select", NULL);
	char buf[160];

	attr(s, "id", "f-rule");
	attr(el(s, "option", "all"), "value", "");
	for (size_t k = 0; k < g->n; k++) {
		snprintf(buf, sizeof(buf), "%s (%zu)", g->v[k].rule->id, g->v[k].n);
		attr(el(s, "option", buf), "value", g->v[k].rule->id);
	}
}

static void findings_thead(xmlNodePtr t, int history)
{
	static const char *const keys[] = {"severity", "rule", "subject", "message", "score",
					   "state", "decision"};
	xmlNodePtr tr = el(el(t, "thead", NULL), "tr", NULL);

	for (size_t i = 0; i < (history ? 7u : 5u); i++) {
		xmlNodePtr th = el_class(tr, "th", i == 4 ? "num" : NULL, keys[i]);
		attr(th, "data-sort", keys[i]);
	}
}

/* Beyond HTML_ALL_AT_ONCE: say so, and where every finding is. */
static void paged_notice(xmlNodePtr s, const pb_audit *a)
{
	pb_buf b;

	pb_buf_init(&b);
	pb_buf_addf(&b, "%zu findings: more than %d, so they are grouped by rule and each group shows "
		    "%d at a time; the pager under a group reaches every one of its findings, and the "
		    "filters and column sorts search them all. Without JavaScript, and on paper, only "
		    "the first %d of each rule show. findings.json and findings.csv (--format json,csv) "
		    "hold every finding.",
		    a->nfindings, HTML_ALL_AT_ONCE, HTML_PAGE_ROWS, HTML_PAGE_ROWS);
	attr(el_class(s, "p", "notice", b.data), "id", "f-paged");
	pb_buf_release(&b);
}

static void findings(xmlNodePtr main, const pb_audit *a, const html_groups *g)
{
	static const char *const sevs[] = {"critical", "high", "medium", "low"};
	const char *fams[64];
	size_t nf = 0;
	const pb_history_view *v = pb_history_view_of(a);
	xmlNodePtr s = section(main, "findings", "Findings");
	xmlNodePtr filters = el_class(s, "div", "filters", NULL);
	char buf[32];

	for (size_t r = 0; r < pb_nrules && nf < 64; r++) {
		int seen = 0;
		for (size_t k = 0; k < nf; k++)
			seen |= !strcmp(fams[k], pb_rules[r]->family);
		if (!seen)
			fams[nf++] = pb_rules[r]->family;
	}
	filter_select(filters, "f-severity", "Severity ", sevs, 4);
	filter_select(filters, "f-family", "Family ", fams, nf);
	rule_filter(filters, g);
	xmlNodePtr q = el(filters, "input", NULL);
	attr(q, "id", "f-text");
	attr(q, "type", "search");
	attr(q, "placeholder", "search rule, subject, message");
	xmlNodePtr cnt = el_class(filters, "span", "muted", NULL);
	attr(cnt, "id", "f-count");
	if (v)
		review_controls(s, filters);
	if (g->paged) {
		snprintf(buf, sizeof(buf), "%d", HTML_PAGE_ROWS);
		attr(s, "data-page", buf);
		snprintf(buf, sizeof(buf), "%zu", a->nfindings);
		attr(s, "data-total", buf);
		paged_notice(s, a);
	}
	el_class(s, "p", "muted", "Click a finding to show its evidence: each source row is file:line.");
	if (g->paged) {
		/* The groups are streamed in at this mark (html_write). */
		xmlNodePtr d = el(s, "div", NULL);
		attr(d, "id", "groups");
		xmlAddChild(d, checked(xmlNewComment(BAD_CAST ROWS_MARK)));
		return;
	}
	xmlNodePtr t = el(s, "table", NULL);
	findings_thead(t, v != NULL);
	xmlNodePtr tb = el(t, "tbody", NULL);
	attr(tb, "id", "findings-body");
	/* The rows are streamed in at this mark (html_write). */
	xmlAddChild(tb, checked(xmlNewComment(BAD_CAST ROWS_MARK)));
	if (!a->nfindings)
		el_class(s, "p", "muted", "No findings.");
}

static void inputs(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"input", "table", "format", "profile", "#read",
					   "#imported", "#filtered", "#rejected", NULL};
	xmlNodePtr s = section(main, "inputs", "Inputs: rows read = imported + filtered + rejected");
	const pb_input *in = pb_ledger_inputs(a->ledger);
	unsigned long long r = 0, im = 0, rj = 0, fi = 0;

	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < pb_ledger_ninputs(a->ledger); i++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		el(tr, "td", in[i].path);
		el(tr, "td", in[i].table);
		el(tr, "td", in[i].format);
		el(tr, "td", in[i].profile ? in[i].profile : strcmp(in[i].format, "csv") ? "" : "(none)");
		num_cell(tr, in[i].rows_read);
		num_cell(tr, in[i].rows_imported);
		num_cell(tr, in[i].rows_filtered);
		xmlNodePtr c = num_cell(tr, in[i].rows_rejected);
		if (in[i].rows_rejected)
			attr(c, "class", "num warn");
		r += in[i].rows_read;
		im += in[i].rows_imported;
		rj += in[i].rows_rejected;
		fi += in[i].rows_filtered;
	}
	xmlNodePtr tr = el_class(tb, "tr", "total", NULL);
	el(tr, "td", "total");
	el(tr, "td", "");
	el(tr, "td", "");
	el(tr, "td", "");
	num_cell(tr, r);
	num_cell(tr, im);
	num_cell(tr, fi);
	num_cell(tr, rj);
}

/* Files --keep-going left out, or read only up to a failure: said
 * before anything else is read as complete.  Nothing at all when every
 * file was read, so the page is as it always was. */
static void failed_inputs(xmlNodePtr main, const pb_audit *a)
{
	size_t n = pb_ledger_nfailed(a->ledger);
	const pb_failed_input *f = pb_ledger_failed(a->ledger);

	if (!n)
		return;
	static const char *const cols[] = {"file", "#rows audited", "why it was not read in full", NULL};
	xmlNodePtr s = section(main, "failed", "Files not read in full: this audit is incomplete");
	el_class(s, "p", "warn", "These files could not be read, or not to their end, and the run went "
		 "on without them (--keep-going): the rows read before the failure are audited, "
		 "the rest of each file is not, and probity exited with status 3.");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		el(el(tr, "td", NULL), "code", f[i].path);
		num_cell(tr, f[i].rows_read);
		el(tr, "td", f[i].reason);
	}
}

/* Inputs mostly rejected (pb_rejection_alarm): what is audited of them
 * is what little was read.  Nothing when there are none. */
static void mostly_rejected(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"input", "#inputs", "#rows read", "#rejected", NULL};
	char buf[256];

	if (!a->nmostly_rejected)
		return;
	xmlNodePtr s = section(main, "mostly-rejected", "Inputs mostly rejected: has an export's format changed?");
	snprintf(buf, sizeof(buf), "More than %d%% of these inputs' rows were rejected ([audit] "
		 "max_rejected_pct): the audit of them holds only the rows left, and probity exited "
		 "with status 3. Their rejections are listed below, each with its file:line.",
		 a->config->max_rejected_pct);
	el_class(s, "p", "warn", buf);
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < a->nmostly_rejected; i++) {
		const pb_rejection_alarm *m = &a->mostly_rejected[i];
		xmlNodePtr tr = el(tb, "tr", NULL);
		el(el(tr, "td", NULL), "code", m->what);
		num_cell(tr, m->inputs);
		num_cell(tr, m->read);
		num_cell(tr, m->rejected);
	}
}

/* Rows (or values) of the inputs, each with its file:line and why; at
 * most HTML_MAX_REJECTIONS, the rest counted. */
static void source_list(xmlNodePtr s, const pb_rejection *rj, size_t n, const char *more)
{
	static const char *const cols[] = {"source", "reason", NULL};
	xmlNodePtr tb = table_body(s, cols);
	char buf[128];

	for (size_t i = 0; i < n && i < HTML_MAX_REJECTIONS; i++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		pb_buf src;
		pb_buf_init(&src);
		pb_buf_addf(&src, "%s:%llu", nz(rj[i].path), (unsigned long long)rj[i].line);
		el(el(tr, "td", NULL), "code", src.data);
		pb_buf_release(&src);
		el(tr, "td", rj[i].reason);
	}
	if (n > HTML_MAX_REJECTIONS) {
		snprintf(buf, sizeof(buf), "... and %zu more %s, listed in findings.json.",
			 n - HTML_MAX_REJECTIONS, more);
		el_class(s, "p", "warn", buf);
	}
}

/* Kinds a summary counts one by one (pb_reason_groups); the reasons of
 * further kinds are counted together. */
#define HTML_MAX_KINDS 64

/* Three hundred transactions without a currency read as one line: what,
 * how many, the first one.  `what` heads the first column. */
static void kind_summary(xmlNodePtr s, const char *what, const pb_rejection *rj, size_t n)
{
	const char *const cols[] = {what, "#", "first at", NULL};
	pb_reason_group *k;
	size_t other, nk = pb_reason_groups(rj, n, NULL, HTML_MAX_KINDS, &k, &other);
	xmlNodePtr tb = table_body(s, cols);

	for (size_t j = 0; j < nk; j++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		const pb_rejection *first = &rj[k[j].first[0]];
		pb_buf src;
		pb_buf_init(&src);
		pb_buf_addf(&src, "%s:%llu", nz(first->path), (unsigned long long)first->line);
		el(tr, "td", k[j].kind);
		num_cell(tr, k[j].count);
		el(el(tr, "td", NULL), "code", src.data);
		pb_buf_release(&src);
	}
	pb_reason_groups_free(k, nk);
	if (other) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		el(tr, "td", "other kinds");
		num_cell(tr, other);
		el(tr, "td", "");
	}
}

/* More rejected rows than this are counted by kind above their list. */
#define HTML_SUMMARY_FROM 10

static void rejections(xmlNodePtr main, const pb_audit *a)
{
	size_t n = pb_ledger_nrejections(a->ledger);
	xmlNodePtr s = section(main, "rejections", "Rejected rows");

	if (!n) {
		el_class(s, "p", "muted", "None: every row was imported.");
		return;
	}
	if (n > HTML_SUMMARY_FROM)
		kind_summary(s, "why rejected", pb_ledger_rejections(a->ledger), n);
	source_list(s, pb_ledger_rejections(a->ledger), n, "rejected rows");
}

/* Values of imported rows kept as unknown: only when there are some, so
 * that the page is as it was otherwise. */
static void unread_values(xmlNodePtr main, const pb_audit *a)
{
	size_t n = pb_ledger_nunread(a->ledger);

	if (!n)
		return;
	xmlNodePtr s = section(main, "unread", "Values not read");
	el_class(s, "p", "warn", "These rows were imported, but these values in them could not be read: each "
		 "is unknown to every rule (never guessed), so a rule that needs it did not judge the row.");
	kind_summary(s, "value not read", pb_ledger_unread_values(a->ledger), n);
	source_list(s, pb_ledger_unread_values(a->ledger), n, "values not read");
}

static void coverage(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"rule", "status", "note", "#findings", NULL};
	xmlNodePtr s = section(main, "coverage", "Rule coverage");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < a->ncoverage; i++) {
		const pb_coverage *c = &a->coverage[i];
		xmlNodePtr tr = el(tb, "tr", NULL);
		xmlNodePtr r = el(tr, "td", c->rule->id);
		attr(r, "title", c->rule->title);
		xmlNodePtr st = el(tr, "td", pb_cov_status_name(c->status));
		if (c->status == PB_COV_NOT_RUN || c->status == PB_COV_CANNOT_JUDGE)
			attr(st, "class", "warn");
		el(tr, "td", c->reason ? c->reason : "");
		num_cell(tr, c->nfindings);
	}
}

static void possible_links(xmlNodePtr main, const pb_audit *a)
{
	static const char *const cols[] = {"party", "party", "why", "sources", NULL};
	size_t n = 0;
	const pb_possible_link *pl = a->parties ? pb_parties_possible_links(a->parties, &n) : NULL;

	if (!n)
		return;
	xmlNodePtr s = section(main, "possible-links", "Possible links between parties (not merged)");
	el_class(s, "p", "muted",
		 "Parties with different ids and no shared registry identifier whose normalised names match "
		 "and that share an address or bank account. probity keeps them apart; a reviewer decides.");
	xmlNodePtr tb = table_body(s, cols);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		pb_buf b;
		pb_buf_init(&b);
		pb_buf_addf(&b, "%s (%s)", nz(pb_str(pl[i].a->party_id)), nz(pb_str(pl[i].a->name)));
		el(tr, "td", b.data);
		pb_buf_reset(&b);
		pb_buf_addf(&b, "%s (%s)", nz(pb_str(pl[i].b->party_id)), nz(pb_str(pl[i].b->name)));
		el(tr, "td", b.data);
		el(tr, "td", pl[i].reason);
		pb_buf_reset(&b);
		pb_row_source_add(&b, &pl[i].a->row);
		pb_buf_addstr(&b, ", ");
		pb_row_source_add(&b, &pl[i].b->row);
		el(el(tr, "td", NULL), "code", b.data);
		pb_buf_release(&b);
	}
}

/* The page's count of findings by rule and severity, each linking to
 * its group below. */
static void rule_summary(xmlNodePtr main, const html_groups *g)
{
	static const char *const cols[] = {"rule", "title", "#critical", "#high", "#medium",
					   "#low", "#total", NULL};
	xmlNodePtr s = section(main, "rules", "Findings by rule and severity");
	char href[32];

	xmlNodePtr tb = table_body(s, cols);
	for (size_t k = 0; k < g->n; k++) {
		xmlNodePtr tr = el(tb, "tr", NULL);
		snprintf(href, sizeof(href), "#g-%zu", k);
		attr(el(el(tr, "td", NULL), "a", g->v[k].rule->id), "href", href);
		el(tr, "td", g->v[k].rule->title);
		for (int sev = PB_SEV_CRITICAL; sev >= PB_SEV_LOW; sev--)
			num_cell(tr, g->v[k].sev[sev]);
		num_cell(tr, g->v[k].n);
	}
}

static void group_pager(xmlNodePtr div, size_t n)
{
	static const char *const go[][2] = {{"first", "\xc2\xab first"}, {"prev", "\xe2\x80\xb9 previous"},
		{"next", "next \xe2\x80\xba"}, {"last", "last \xc2\xbb"}};
	xmlNodePtr p = el_class(div, "div", "pager", NULL);
	char buf[96];

	for (size_t i = 0; i < 4; i++) {
		xmlNodePtr b = el(p, "button", go[i][1]);
		attr(b, "type", "button");
		attr(b, "data-go", go[i][0]);
	}
	snprintf(buf, sizeof(buf), "findings 1\xe2\x80\x93%zu of %zu",
		 n < HTML_PAGE_ROWS ? n : (size_t)HTML_PAGE_ROWS, n);
	el_class(p, "span", "page-info", buf);
}

/* A group as served: its heading, counts, first page of rows and pager. */
static xmlNodePtr group_node(htmlDocPtr doc, const pb_audit *a, const html_group *g, size_t k)
{
	xmlNodePtr div = checked(xmlNewDocNode(doc, NULL, BAD_CAST "div", NULL));
	char buf[256];
	size_t shown = 0;

	if (!div)
		return NULL;
	attr(div, "class", "group");
	snprintf(buf, sizeof(buf), "g-%zu", k);
	attr(div, "id", buf);
	attr(div, "data-rule", g->rule->id);
	attr(div, "data-family", g->rule->family);
	attr(div, "data-title", g->rule->title);
	snprintf(buf, sizeof(buf), "%zu", g->n);
	attr(div, "data-count", buf);
	snprintf(buf, sizeof(buf), "g-data-%zu", k);
	attr(div, "data-data", buf);
	snprintf(buf, sizeof(buf), "%s \xe2\x80\x94 %s", g->rule->id, g->rule->title);
	el(div, "h3", buf);
	snprintf(buf, sizeof(buf), "%zu finding%s: %zu critical, %zu high, %zu medium, %zu low.%s",
		 g->n, g->n == 1 ? "" : "s", g->sev[PB_SEV_CRITICAL], g->sev[PB_SEV_HIGH],
		 g->sev[PB_SEV_MEDIUM], g->sev[PB_SEV_LOW],
		 g->n > HTML_PAGE_ROWS ? " The pager below shows the rest." : "");
	el_class(div, "p", "muted", buf);
	xmlNodePtr t = el(div, "table", NULL);
	findings_thead(t, pb_history_view_of(a) != NULL);
	xmlNodePtr tb = el(t, "tbody", NULL);
	for (size_t i = 0; i < a->nfindings && shown < HTML_PAGE_ROWS && !failed; i++)
		if (a->findings[i]->rule == g->rule) {
			finding_row(tb, a, i, 0);
			shown++;
		}
	group_pager(div, g->n);
	return div;
}

/* --- the findings as JSON, for the grouped page's script --- */

/*
 * Written as text, byte for byte what json_dumps writes with
 * JSON_COMPACT | JSON_ENSURE_ASCII for objects built in the same order
 * (keys in the order set), rather than built as jansson objects and
 * dumped: the dump checks every object and array for cycles through a
 * table keyed by its address, which was most of the report's time at
 * 5 000 findings.  A string of ASCII without control characters, '"'
 * or '\' (pb_json_plain_prefix) goes out quoted as it is, as jansson
 * writes it; any other goes through jansson for its escapes.
 */
static void jstr(pb_buf *b, const char *s)
{
	pb_buf tmp;

	s = nz(s);
	size_t n = pb_json_plain_prefix(s);
	if (!s[n]) { /* ASCII is UTF-8: no check of its own */
		pb_buf_addch(b, '"');
		pb_buf_add(b, s, n);
		pb_buf_addch(b, '"');
		return;
	}
	/* invalid UTF-8 is U+FFFD once utf8() is done: jansson takes it */
	pb_buf_init(&tmp);
	json_t *j = checked(json_string(utf8(s, &tmp)));
	char *text = j ? checked(json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII)) : NULL;
	if (text)
		pb_buf_addstr(b, text);
	free(text);
	json_decref(j);
	pb_buf_release(&tmp);
}

/* A key of the page's own (plain ASCII) before its value, after a comma
 * unless it is the first member (*n counts them). */
static void jkey(pb_buf *b, size_t *n, const char *key)
{
	if ((*n)++)
		pb_buf_addch(b, ',');
	pb_buf_addch(b, '"');
	pb_buf_addstr(b, key);
	pb_buf_add(b, "\":", 2);
}

/* A key and its text in an object whose first member *n counts; no
 * member for NULL, as jset left it out. */
static void jfield(pb_buf *b, size_t *n, const char *key, const char *value)
{
	if (!value)
		return;
	jkey(b, n, key);
	jstr(b, value);
}

/* An array of n texts, NULL as "". */
static void jrow(pb_buf *b, const char *const *texts, size_t n)
{
	pb_buf_addch(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			pb_buf_addch(b, ',');
		jstr(b, texts[i]);
	}
	pb_buf_addch(b, ']');
}

/* f's evidence rows from `from` on, as an array of rows of six texts,
 * the cells evidence_tr makes. */
static void evidence_json(pb_buf *b, const pb_finding *f, size_t from)
{
	pb_buf_addch(b, '[');
	for (size_t i = from; i < f->nevidence; i++) {
		const pb_evidence *e = &f->evidence[i];
		pb_buf x;
		pb_buf_init(&x);
		for (uint32_t k = 0; k < e->nextra; k++)
			pb_buf_addf(&x, "%s%s = %s", k ? "; " : "", nz(e->extra[k].name),
				    nz(e->extra[k].value));
		const char *row[] = {e->role, e->table, e->id, e->status, e->source, x.data};
		if (i > from)
			pb_buf_addch(b, ',');
		jrow(b, row, 6);
		pb_buf_release(&x);
	}
	pb_buf_addch(b, ']');
}

/* A finding's evidence, details and chain, as finding_row and
 * evidence_row show them; the rule is the group's. */
static void finding_evidence_json(pb_buf *b, size_t *n, const pb_finding *f)
{
	if (f->npath) {
		jkey(b, n, "path");
		pb_buf_addch(b, '[');
		for (size_t i = 0; i < f->npath; i++) {
			const char *step[] = {f->path[i].from, f->path[i].kind, f->path[i].to,
					      f->path[i].source};
			if (i)
				pb_buf_addch(b, ',');
			jrow(b, step, 4);
		}
		pb_buf_addch(b, ']');
	}
	if (f->ndetails) {
		jkey(b, n, "details");
		pb_buf_addch(b, '[');
		for (size_t i = 0; i < f->ndetails; i++) {
			const char *kv[] = {f->details[i].key, f->details[i].value};
			if (i)
				pb_buf_addch(b, ',');
			jrow(b, kv, 2);
		}
		pb_buf_addch(b, ']');
	}
	jkey(b, n, "ev");
	evidence_json(b, f, 0);
}

static void finding_history_json(pb_buf *b, size_t *n, const pb_hentry *h)
{
	const pb_decision *d = h->decision;
	size_t m = 0;

	jfield(b, n, "state", pb_hstate_name(h->state));
	jfield(b, n, "hash", h->evidence_hash);
	if (!d)
		return;
	jkey(b, n, "dec");
	pb_buf_addch(b, '{');
	jfield(b, &m, "status", pb_dstatus_name(d->status));
	jfield(b, &m, "by", d->by);
	jfield(b, &m, "at", d->at);
	jfield(b, &m, "note", d->note);
	if (d->reopened) {
		jkey(b, &m, "reopened");
		pb_buf_addstr(b, "true");
	}
	pb_buf_addch(b, '}');
}

static void finding_json(pb_buf *b, const pb_audit *a, size_t i)
{
	const pb_finding *f = a->findings[i];
	const pb_history_view *v = pb_history_view_of(a);
	char buf[64];
	pb_buf subj;
	size_t n = 0;

	pb_buf_addch(b, '{');
	jfield(b, &n, "id", f->id);
	jfield(b, &n, "sev", pb_severity_name(f->severity));
	pb_buf_init(&subj);
	pb_buf_addf(&subj, "%s/%s", nz(f->subject_table), nz(f->subject_id));
	jfield(b, &n, "subj", subj.data);
	pb_buf_release(&subj);
	jfield(b, &n, "subject", f->subject_id);
	jfield(b, &n, "buyer", f->buyer_id);
	jfield(b, &n, "supplier", f->supplier_id);
	jfield(b, &n, "msg", f->message);
	snprintf(buf, sizeof(buf), "%.4f", f->score);
	jfield(b, &n, "score", buf);
	snprintf(buf, sizeof(buf), "%.2f", f->score);
	jfield(b, &n, "s2", buf);
	finding_evidence_json(b, &n, f);
	if (v && i < v->nfindings)
		finding_history_json(b, &n, &v->findings[i]);
	pb_buf_addch(b, '}');
}

/*
 * JSON inside <script>: the HTML parser ends the element at the first
 * "</script" whatever its type, so '<' (and '>', '&', for good measure)
 * go out as \u escapes, which mean the same character to JSON.parse.
 * They can only stand inside strings: none is JSON syntax.
 */
static void island_escape(pb_buf *out, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "<>&");
		pb_buf_add(out, s, n);
		if (!s[n])
			return;
		pb_buf_addstr(out, s[n] == '<' ? "\\u003c" : s[n] == '>' ? "\\u003e" : "\\u0026");
		s += n + 1;
	}
}

/*
 * A group's findings, one JSON object at a time (ASCII only, so the
 * HTML encoder passes it through untouched), then freed: memory stays
 * flat as in the rows.
 */
static void write_island(xmlOutputBufferPtr ob, const pb_audit *a, const html_group *g, size_t k)
{
	char open[96];
	int first = 1;

	snprintf(open, sizeof(open), "\n<script type=\"application/json\" id=\"g-data-%zu\">[", k);
	xmlOutputBufferWriteString(ob, open);
	pb_buf text, safe;
	pb_buf_init(&text);
	pb_buf_init(&safe);
	for (size_t i = 0; i < a->nfindings && !failed && !ob->error; i++) {
		if (a->findings[i]->rule != g->rule)
			continue;
		pb_buf_reset(&text);
		pb_buf_reset(&safe);
		finding_json(&text, a, i);
		if (failed)
			break;
		if (!first)
			xmlOutputBufferWrite(ob, 1, ",");
		first = 0;
		island_escape(&safe, text.data);
		xmlOutputBufferWrite(ob, (int)safe.len, safe.data);
	}
	pb_buf_release(&text);
	pb_buf_release(&safe);
	xmlOutputBufferWriteString(ob, "]</script>");
}

/* Has any finding more evidence rows than a page shows at first?  Only
 * then does the page of rows carry more_script. */
static int long_evidence(const pb_audit *a)
{
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i]->nevidence > HTML_EVIDENCE_SHOWN)
			return 1;
	return 0;
}

/* The page without its finding rows: a mark stands where they go. */
static htmlDocPtr skeleton(const pb_audit *a, const html_groups *g)
{
	htmlDocPtr doc = checked(htmlNewDocNoDtD(NULL, NULL));
	xmlNodePtr html = checked(xmlNewNode(NULL, BAD_CAST "html"));

	if (!doc || !html) {
		xmlFreeNode(html);
		xmlFreeDoc(doc);
		return NULL;
	}
	checked(xmlCreateIntSubset(doc, BAD_CAST "html", NULL, NULL));
	xmlDocSetRootElement(doc, html);
	attr(html, "lang", "en");
	head(html, a, g->paged);
	xmlNodePtr body = el(html, "body", NULL);
	banner(body, a);
	xmlNodePtr main = el(body, "main", NULL);
	const pb_history_view *v = pb_history_view_of(a);
	failed_inputs(main, a);
	mostly_rejected(main, a);
	if (v)
		since_last_run(main, v);
	entities(main, a);
	summary(main, a);
	if (g->paged)
		rule_summary(main, g);
	findings(main, a, g);
	inputs(main, a);
	possible_links(main, a);
	rejections(main, a);
	unread_values(main, a);
	coverage(main, a);
	el_class(body, "footer", "muted", "Generated by probity. Findings are leads for review, not conclusions.");
	if (g->paged || long_evidence(a)) /* the grouped page's rows are made by probityEvRow */
		el(body, "script", more_script);
	if (!g->paged)
		el(body, "script", script);
	if (v)
		attr(el(body, "script", export_script), "id", "probity-decisions");
	if (g->paged) {
		pb_buf js;
		pb_buf_init(&js);
		for (const char *const *p = group_script; *p; p++)
			pb_buf_addstr(&js, *p);
		el(body, "script", js.data);
		pb_buf_release(&js);
	} else if (v)
		el(body, "script", hist_script);
	return doc;
}

/* Each finding's rows are built, serialised and freed on their own, so
 * memory stays flat however many findings there are.  Returns how many
 * findings went out. */
static size_t stream_rows(const pb_audit *a, htmlDocPtr doc, xmlOutputBufferPtr ob, FILE *out)
{
	size_t i;

	for (i = 0; !failed && i < a->nfindings; i++) {
		xmlNodePtr tb = checked(xmlNewDocNode(doc, NULL, BAD_CAST "tbody", NULL));
		finding_row(tb, a, i, 1);
		for (xmlNodePtr n = tb ? tb->children : NULL; n && !failed; n = n->next) {
			xmlOutputBufferWrite(ob, 1, "\n");
			htmlNodeDumpFormatOutput(ob, doc, n, "UTF-8", 1);
		}
		xmlFreeNode(tb);
		if (ob->error || ferror(out))
			break;
	}
	return i;
}

/* The grouped page: per rule, its first page of rows (built and freed
 * as one node), then its findings as JSON.  Returns the groups done. */
static size_t stream_groups(const pb_audit *a, const html_groups *g, htmlDocPtr doc,
			    xmlOutputBufferPtr ob, FILE *out)
{
	size_t k;

	for (k = 0; !failed && k < g->n; k++) {
		xmlNodePtr div = group_node(doc, a, &g->v[k], k);
		if (div && !failed) {
			xmlOutputBufferWrite(ob, 1, "\n");
			htmlNodeDumpFormatOutput(ob, doc, div, "UTF-8", 1);
		}
		xmlFreeNode(div);
		if (!failed)
			write_island(ob, a, &g->v[k], k);
		if (ob->error || ferror(out))
			break;
	}
	return k;
}

static int stream_findings(const pb_audit *a, const html_groups *g, htmlDocPtr doc, FILE *out,
			   pb_error *err)
{
	/* The "HTML" encoder writes non-ASCII as character references, as
	 * htmlDocDumpMemoryFormat does for the rest of the page. */
	xmlCharEncodingHandlerPtr enc = checked(xmlFindCharEncodingHandler("HTML"));
	xmlOutputBufferPtr ob = enc ? checked(xmlOutputBufferCreateFile(out, enc)) : NULL;
	size_t done = 0;

	if (ob)
		done = g->paged ? stream_groups(a, g, doc, ob, out) : stream_rows(a, doc, ob, out);
	int io = !ob || xmlOutputBufferClose(ob) < 0 || ferror(out);
	/* libxml2 reports a failed write through the error handler too, which
	 * sets `failed`: a stream in error is a write failure, not memory. */
	if (ferror(out)) {
		pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	if (failed && g->paged) {
		pb_error_set(err, PB_EXIT_INTERNAL,
			     "out of memory building the HTML report (rule group %zu of %zu)",
			     done + (done < g->n), g->n);
		return -1;
	}
	if (failed) {
		pb_error_set(err, PB_EXIT_INTERNAL,
			     "out of memory building the HTML report (finding %zu of %zu)",
			     done + (done < a->nfindings), a->nfindings);
		return -1;
	}
	if (io) {
		pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static int html_stream(const pb_audit *a, FILE *out, pb_error *err)
{
	static const char mark[] = "<!--" ROWS_MARK "-->";
	html_groups g;
	htmlDocPtr doc;

	groups_init(&g, a);
	doc = skeleton(a, &g);
	xmlChar *mem = NULL;
	int size = 0;
	int rc = -1;

	if (doc && !failed)
		htmlDocDumpMemoryFormat(doc, &mem, &size, 1);
	const char *at = mem && !failed ? strstr((const char *)mem, mark) : NULL;
	/* A serializer that stopped early must not pass for a report. */
	if (!at || size < 8 || memcmp(mem + size - 8, "</html>\n", 8)) {
		pb_error_set(err, PB_EXIT_INTERNAL,
			     "out of memory building the HTML report (the page around the findings)");
	} else if (fwrite(mem, 1, (size_t)(at - (const char *)mem), out) !=
		   (size_t)(at - (const char *)mem)) {
		pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
	} else if (stream_findings(a, &g, doc, out, err) == 0) {
		size_t tail = (size_t)size - (size_t)(at - (const char *)mem) - strlen(mark);
		if (fwrite(at + strlen(mark), 1, tail, out) != tail || ferror(out))
			pb_error_set(err, PB_EXIT_INPUT, "write failed: %s", strerror(errno));
		else
			rc = 0;
	}
	xmlFree(mem);
	xmlFreeDoc(doc);
	groups_release(&g);
	return rc;
}

static int html_write(const pb_audit *a, FILE *out, pb_error *err)
{
	failed = 0;
	xmlSetGenericErrorFunc(NULL, on_xml_error);
	int rc = html_stream(a, out, err);
	xmlSetGenericErrorFunc(NULL, NULL);
	return rc;
}

const pb_reporter pb_report_html = {
	.name = "html",
	.filename = "report.html",
	.help = "self-contained page for reviewers (filter, sort, evidence)",
	.write = html_write,
};
