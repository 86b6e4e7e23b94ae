#!/usr/bin/env python3
"""Transcribes the seed work plan (attachment 1: 40 indicators with targets; attachment 2:
the task table) into assets/indicators.json. Run once by hand; the JSON file, reviewed,
is the source of truth, and tests/test_catalog.cpp checks it against the seed's counts.

The seed is a table flattened to one cell per line. Merged cells appear only in their
first row, so a row with fewer cells inherits the key task (one text cell) or both
units (no unit cells) from the row above. Unit cells are told from task text by their
shape (department names joined by 、). Quirks of the seed handled here: indicator 15's
heading appears twice (numbering continues), indicator 31 numbers a row "2" twice, 39
has no rows of its own (its heading runs into 40's, which covers both), and 10's
heading states neither binding nor reference.

  python3 scripts/transcribe_catalog.py SEED.txt assets/indicators.json
"""
import json, re, sys
SEED, OUT = sys.argv[1], sys.argv[2]
lines=[re.sub(r'\s+',' ',l).strip() for l in open(SEED,encoding='utf-8')]
lines=[l for l in lines if l]
a1=[k for k,l in enumerate(lines) if l.startswith('附件1')][1]
a2=[k for k,l in enumerate(lines) if l.startswith('附件2')][1]
att1=lines[a1+1:a2]
# header: 领域 序号 指标名称 牵头责任单位 2019年目标值
assert att1[:5]==['领域','序号','指标名称','牵头责任单位','2019年目标值'], att1[:5]
domains=['生态制度','生态环境','生态空间','生态经济','生态生活','生态文化']
rows=att1[5:]
import json, re
# --- attachment 1 -----------------------------------------------------------
inds=[];dom=None;i=0;expect=1
while i<len(rows):
    l=rows[i]
    if l in domains: dom=l; i+=1; continue
    if l==str(expect):
        j=i+1; cells=[]
        while j<len(rows) and rows[j]!=str(expect+1) and rows[j] not in domains: cells.append(rows[j]); j+=1
        inds.append(dict(no=expect,domain=dom,cells=cells)); i=j; expect+=1; continue
    raise SystemExit('unexpected '+l)
assert len(inds)==40
STATES={'实施':'未实施','编制':'未编制','开展':'未开展','全面推行':'未全面推行','建立':'未建立','遵守':'未遵守','不发生':'发生','严格保护':'未严格保护','不明显':'明显'}
SURVEY={35:'green-travel',39:'knowledge',40:'satisfaction'}
def unit_of(name):
    m=re.search(r'[((]([^))]+)[))]$',name)
    return m.group(1) if m and re.search('%|/',m.group(1)) else ''
def rule(t, no=None):
    r={}
    m=re.fullmatch(r'≥(\d+(?:\.\d+)?)(,不降低)?',t)
    if m:
        r={'kind':'at_least','value':float(m.group(1))}
        if m.group(2): r['not_lower_than_previous']=True
    elif re.fullmatch(r'\d+(?:\.\d+)?',t):
        r={'kind':'at_least','value':float(t)}
    elif t in STATES:
        r={'kind':'state','required':t,'states':[t,STATES[t]]}
    elif t.startswith('完成市级下达任务要求') or t.startswith('达到市级考核要求'):
        r={'kind':'judged'}
        if '不下降' in t: r['not_lower_than_previous']=True
    else: raise SystemExit('target? '+t)
    if no in SURVEY: r['survey']=SURVEY[no]
    return r
out=[]
for d in inds:
    c=d['cells']; no=d['no']
    e={'no':no,'domain':d['domain'],'name':c[0]}
    if no==14:
        e['lead']=[c[2]]
        e['sub']=[{'id':'14.1','name':c[1],'lead':[c[2]],'target':c[3],'rule':rule(c[3])},
                  {'id':'14.2','name':c[4],'lead':[c[2]],'target':c[5],'rule':rule(c[5])}]
    elif no==26:
        e['lead']=[c[2],c[5]]
        e['sub']=[{'id':'26.1','name':c[1],'lead':[c[2]],'target':c[3],'rule':rule(c[3]),'unit':'%'},
                  {'id':'26.2','name':c[4],'lead':[c[5]],'target':c[6],'rule':rule(c[6]),'unit':'%'}]
    elif no==30:
        e['lead']=[c[1],c[2]]
        e['target']=c[3]; e['rule']=rule(c[3])
    else:
        assert len(c)==3,(no,c)
        e['lead']=[c[1]]; e['target']=c[2]; e['rule']=rule(c[2],no)
    e['unit']=unit_of(c[0])
    out.append(e)
# --- attachment 2 -----------------------------------------------------------
att2=lines[a2+1:]
hdr=['指标','序号','重点任务','2019年度任务','责任部门','配合单位']
assert att2[:6]==hdr, att2[:6]
body=att2[6:]
end=[k for k,l in enumerate(body) if l.startswith('注:标有★')][0]
note=body[end]
body=body[:end]
UNIT=re.compile(r'^(?:[^。;:]{0,80})$')
ORG=re.compile(r'(局|委|办|中心|部|院|管委会|街道|乡镇|公司|队|处|站|所|部门|单位|政府|法院|检察院|办事处|工作站|协会|团委|妇联|总工会|科协|集团|气象|分局|镇|乡|社区|厂|企业|医院|校|银行|电视台|报社)(等)?$')
def is_unit(l):
    if not UNIT.match(l): return False
    parts=re.split('[、,]',l.rstrip('等'))
    return all(ORG.search(p.strip()) or p.strip() in ('各级各有关部门',) for p in parts if p.strip())
heads=[]
for k,l in enumerate(body):
    m=re.match(r'^(★)?指标(\d+):(.+?)(?:((约束性|参考性|国家参考性、市级约束性)))?(?:((?:牵头责任单位|牵头责任部门|牵头部门):?([^)]*))|((区[^)]*)))?;?$',l)
    if m: heads.append((k,m))
tasks={};binding={};star=set();headlead={}
for hi,(k,m) in enumerate(heads):
    no=int(m.group(2)); 
    if m.group(1): star.add(no)
    bm=re.search(r'[((](约束性|参考性|国家参考性、市级约束性)[))]',m.group(0))
    if bm: binding.setdefault(no,bm.group(1))
    lm=re.search(r'[((](?:牵头责任单位|牵头责任部门|牵头部门)?:?(区[^))]*)[))]',m.group(0))
    if lm: headlead.setdefault(no,lm.group(1))
    nxt=heads[hi+1][0] if hi+1<len(heads) else len(body)
    seg=body[k+1:nxt]
    # rows
    rs=[];cur=None;expect=1
    if no in tasks: expect=len([r for b in tasks[no] for r in b])+1  # a repeated heading continues the table
    for l in seg:
        if l==str(expect):
            cur={'n':expect,'cells':[]}; rs.append(cur); expect+=1
        elif cur and l==str(expect-1) and len(cur['cells'])>=3:  # the seed numbers one row twice (31: 2, 2)
            cur={'n':expect-1,'cells':[]}; rs.append(cur)
        else:
            if cur is None: raise SystemExit(f'{no}: text before first row: {l}')
            cur['cells'].append(l)
    tasks.setdefault(no,[]).append(rs)
# assemble tasks per indicator, inheriting merged cells
cat_tasks={}
for no,blocks in tasks.items():
    lst=[]
    for rs in blocks:
        key=resp=coop=None
        for r in rs:
            c=r['cells']
            units=[]
            while c and is_unit(c[-1]) and len(units)<2: units.insert(0,c.pop())
            if len(c)>2: raise SystemExit(f'{no}/{r["n"]}: {c} {units}')
            if len(c)==2: key,task=c
            elif len(c)==1: task=c[0]
            else: raise SystemExit(f'{no}/{r["n"]}: no task {units}')
            if len(units)==2: resp,coop=units
            elif len(units)==1: resp,coop=units[0],''
            lst.append({'key_task':key or task,'task':task,'responsible':resp or '','cooperating':coop or ''})
    cat_tasks[no]=lst
total=sum(len(v) for v in cat_tasks.values())
import collections
print('tasks',total, 'indicators with tasks', len(cat_tasks), 'missing', [n for n in range(1,41) if n not in cat_tasks])
print('binding', binding)
print('star', star)
print('lead', headlead)
for no,lst in sorted(cat_tasks.items()):
    for t in lst:
        if not t['responsible']: print('NO RESP',no,t)
# --- emit ----------------------------------------------------------------------
cat={'source':'重庆市黔江区国家生态文明建设示范区创建工作2019年度工作计划:附件1 指标2019年度目标表,附件2 任务分解表',
     'note':note,'domains':domains,'indicators':[]}
for e in out:
    no=e['no']
    e['binding']=binding.get(no)
    if no not in binding: e['binding_note']='附件2未标注约束性或参考性'
    e['hardest']=no in star
    lst=cat_tasks.get(no,[])
    e['tasks']=[dict(id=f'{no}.{k+1}',**t) for k,t in enumerate(lst)]
    if no==39 and not lst: e['tasks_shared_with']=40
    cat['indicators'].append(e)
json.dump(cat,open(OUT,'w'),ensure_ascii=False,indent=1)
open(OUT,'a').write('\n')
