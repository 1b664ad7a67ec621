/** The demo company that a first start fills the directory with, so it is not empty. */
export type DemoDepartment = { name: string; children?: DemoDepartment[] };
export type DemoPerson = { login: string; displayName: string; department: string; jobTitle: string; manager?: string; email?: string; locale?: 'zh-CN' | 'en' };

export const demoDepartments: DemoDepartment = {
  name: '示例科技有限公司',
  children: [
    { name: '总经办' },
    { name: '销售部', children: [{ name: '华东大区' }, { name: '华南大区' }] },
    { name: '客户成功部' },
    { name: '研发中心', children: [{ name: '平台组' }, { name: '移动组' }] },
    { name: '财务部' },
    { name: '人力资源部' },
  ],
};

export const demoPeople: DemoPerson[] = [
  { login: 'wangjianguo', displayName: '王建国', department: '总经办', jobTitle: '总经理' },
  { login: 'lina', displayName: '李娜', department: '销售部', jobTitle: '销售总监', manager: 'wangjianguo' },
  { login: 'zhangwei', displayName: '张伟', department: '华东大区', jobTitle: '大区经理', manager: 'lina' },
  { login: 'chenjing', displayName: '陈静', department: '华东大区', jobTitle: '销售代表', manager: 'zhangwei' },
  { login: 'liuyang', displayName: '刘洋', department: '华东大区', jobTitle: '销售代表', manager: 'zhangwei' },
  { login: 'huangmin', displayName: '黄敏', department: '华南大区', jobTitle: '大区经理', manager: 'lina' },
  { login: 'zhouqiang', displayName: '周强', department: '华南大区', jobTitle: '销售代表', manager: 'huangmin' },
  { login: 'wufang', displayName: '吴芳', department: '客户成功部', jobTitle: '客户成功经理', manager: 'wangjianguo' },
  { login: 'zhaolei', displayName: '赵磊', department: '研发中心', jobTitle: '技术总监', manager: 'wangjianguo' },
  { login: 'sunli', displayName: '孙丽', department: '平台组', jobTitle: '后端工程师', manager: 'zhaolei' },
  { login: 'emily', displayName: 'Emily Carter', department: '平台组', jobTitle: 'Product Designer', manager: 'zhaolei', locale: 'en' },
  { login: 'maxiaoming', displayName: '马晓明', department: '移动组', jobTitle: '移动端工程师', manager: 'zhaolei' },
  { login: 'guoxia', displayName: '郭霞', department: '财务部', jobTitle: '财务经理', manager: 'wangjianguo' },
  { login: 'hejun', displayName: '何军', department: '人力资源部', jobTitle: 'HRBP', manager: 'wangjianguo' },
];
